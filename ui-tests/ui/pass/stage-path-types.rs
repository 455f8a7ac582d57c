// Stage and link fields whose types are written as paths, and pipelines in modules.

mod stages {
    use pipebuf::Stage;

    #[derive(Stage)]
    #[stage(ports(input: pipebuf::PBufRd, output: ::pipebuf::PBufWr<u8>))]
    pub struct Pass;

    impl Pass {
        fn process(&mut self, mut p: PassPorts<'_>) -> bool {
            let before = p.input.tripwire();
            p.input.forward(p.output);
            p.input.is_tripped(before)
        }
    }

    pub mod inner {
        #[derive(pipebuf::Stage)]
        #[stage(ports(input: PBufRd))]
        pub struct Sink;

        impl Sink {
            fn process(&mut self, mut p: SinkPorts<'_>) -> bool {
                let len = p.input.len();
                p.input.consume(len);
                len > 0
            }
        }
    }
}

mod chain {
    #[pipebuf::pipeline]
    pub struct Paths {
        a: crate::stages::Pass,
        b: self::super::stages::Pass,
        sink: crate::stages::inner::Sink,
        #[link(-> a.input)]
        input: ::pipebuf::PipeBuf,
        #[link(a.output -> b.input)]
        ab: pipebuf::PipeBuf<u8>,
        #[link(b.output -> sink.input)]
        bs: ::pipebuf::PipeBuf<u8, 0>,
    }
}

fn main() {
    use crate::stages::{inner::Sink, Pass};
    let mut p = chain::Paths::new(Pass, Pass, Sink);
    p.input().append(b"gone");
    p.process().unwrap();
}
