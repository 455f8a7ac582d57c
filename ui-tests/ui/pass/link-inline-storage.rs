// Links of inline storage: `PipeBuf<T, N>` and `PipeBufPair<T, N>`, which ignore `capacity`.

use pipebuf::{pipeline, PipeBuf, PipeBufPair, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, upper: PBufRdWr))]
struct Feed;

impl Feed {
    fn process(&mut self, mut p: FeedPorts<'_>) -> bool {
        let before = p.input.tripwire();
        p.input.forward(p.upper.wr);
        p.input.is_tripped(before)
    }
}

#[pipeline]
struct Small {
    feed: Feed,
    #[link(-> feed.input)]
    input: PipeBuf<u8, 64>,
    #[link(feed.upper <->, capacity = 1024)]
    app: PipeBufPair<u8, 16>,
}

fn main() {
    let mut p = Small::new(Feed);
    p.input().append(b"inline");
    p.process().unwrap();
    assert_eq!(p.app().rd.data(), b"inline");
}
