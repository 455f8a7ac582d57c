#[pipeline]
pub struct Chain {
    first: Relay,
    second: Relay,
    #[link(<-> first.lower)]
    net: PipeBufPair,
    #[link(second.upper <->)]
    app: PipeBufPair<Message>,
}
