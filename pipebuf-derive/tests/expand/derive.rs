#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr<Frame<T>>), error = FrameError)]
pub struct Framer<T: Clone> {
    max: usize,
    item: T,
}
