// Generic stages: a type parameter in the port types, one that is not, a lifetime, a const
// parameter, a where clause; used in a pipeline at concrete types. (A stage lifetime named `'a`
// does not work yet: see fail/derive/stage-lifetime-named-a.rs.)

use core::marker::PhantomData;

use pipebuf::{pipeline, PipeBuf, Stage};

/// Hands elements of any type on unchanged.
#[derive(Stage)]
#[stage(ports(input: PBufRd<T>, output: PBufWr<T>))]
struct PassThrough<T: Default + Clone> {
    _marker: PhantomData<T>,
}

impl<T: Default + Clone> PassThrough<T> {
    fn new() -> Self {
        PassThrough { _marker: PhantomData }
    }

    fn process(&mut self, mut p: PassThroughPorts<'_, T>) -> bool {
        let before = p.input.tripwire();
        p.input.forward(p.output);
        p.input.is_tripped(before)
    }
}

/// Has a lifetime in its port type, written with a lifetime on the port too.
#[derive(Stage)]
#[stage(ports(input: PBufRd<'p, &'s str>))]
struct Words<'s> {
    last: &'s str,
}

impl<'s> Words<'s> {
    fn process(&mut self, mut p: WordsPorts<'_, 's>) -> bool {
        let len = p.input.len();
        if let Some(last) = p.input.data().last() {
            self.last = last;
        }
        p.input.consume(len);
        len > 0
    }
}

/// A message whose size is in its type.
#[derive(Clone, Default)]
struct Fixed<const N: usize>;

/// Has a parameter no port uses, and a const one that a port uses.
#[derive(Stage)]
#[stage(ports(input: PBufRd<Fixed<N>>))]
struct Chunks<X, const N: usize>
where
    X: Copy,
{
    tag: X,
}

impl<X: Copy, const N: usize> Chunks<X, N> {
    fn process(&mut self, mut p: ChunksPorts<'_, N>) -> bool {
        let _ = self.tag;
        let len = p.input.len();
        p.input.consume(len);
        len > 0
    }
}

#[pipeline]
struct Generic {
    bytes: PassThrough<u8>,
    words: PassThrough<[u8; 2]>,
    chunks: Chunks<char, 2>,
    text: Words<'static>,
    #[link(-> bytes.input)]
    input: PipeBuf,
    #[link(bytes.output ->)]
    output: PipeBuf,
    #[link(-> words.input)]
    words_in: PipeBuf<[u8; 2]>,
    #[link(words.output ->)]
    words_out: PipeBuf<[u8; 2]>,
    #[link(-> chunks.input)]
    fixed: PipeBuf<Fixed<2>>,
    #[link(-> text.input)]
    text_in: PipeBuf<&'static str>,
}

fn main() {
    let mut p = Generic::new(
        PassThrough::new(),
        PassThrough::new(),
        Chunks { tag: 'x' },
        Words { last: "" },
    );
    p.text_in().append(&["one", "two"]);
    p.input().append(b"ab");
    p.words_in().append(&[*b"cd"]);
    p.fixed().append(&[Fixed, Fixed]);
    p.process().unwrap();
    assert_eq!(p.output().data(), b"ab");
    assert_eq!(p.words_out().data(), [*b"cd"]);
    assert_eq!(p.text.last, "two");
}
