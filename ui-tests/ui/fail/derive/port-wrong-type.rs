use pipebuf::Stage;

#[derive(Stage)]
#[stage(ports(
    vec: Vec<u8>, //~ ERROR port `vec` has type `Vec<u8>`; a port is `PBufRd<T>` (input), `PBufWr<T>` (output) or `PBufRdWr<T>` (duplex)
    reference: &PBufRd<'static>, //~ ERROR port `reference` has type `&PBufRd<'static>`; a port is `PBufRd<T>` (input), `PBufWr<T>` (output) or `PBufRdWr<T>` (duplex)
    buffer: pipebuf::PipeBuf, //~ ERROR port `buffer` has type `pipebuf::PipeBuf`; a port is `PBufRd<T>` (input), `PBufWr<T>` (output) or `PBufRdWr<T>` (duplex)
    two: PBufWr<u8, u16>, //~ ERROR port `two` has type `PBufWr<u8, u16>`; a port is `PBufRd<T>` (input), `PBufWr<T>` (output) or `PBufRdWr<T>` (duplex)
    qualified: <u8 as Trait>::PBufRd, //~ ERROR port `qualified` has type `<u8 as Trait>::PBufRd`; a port is `PBufRd<T>` (input), `PBufWr<T>` (output) or `PBufRdWr<T>` (duplex)
    constant: PBufRd<4>, //~ ERROR port `constant` has type `PBufRd<4>`; a port is `PBufRd<T>` (input), `PBufWr<T>` (output) or `PBufRdWr<T>` (duplex)
))]
struct Odd;

fn main() {}
