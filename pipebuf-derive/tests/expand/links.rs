#[pipeline(error = AppError)]
struct Loud {
    lines: Lines,
    shout: Shout,
    #[link(-> lines.input)]
    text: PipeBuf,
    #[link(lines.output -> shout.input, capacity = 4096, fixed, limit = 1 << 16)]
    whole: PipeBuf,
    #[link(shout.output ->)]
    loud: PipeBuf,
}
