pub struct Chain {
    first: Relay,
    second: Relay,
    net: PipeBufPair,
    app: PipeBufPair<Message>,
    __pipebuf_chain0: ::pipebuf::PipeBufPair<
        <Relay as ::pipebuf::__private::UpperPort>::Element,
    >,
    __pipebuf: ::pipebuf::__private::Runtime<2usize>,
}
#[automatically_derived]
impl Chain {
    /// Creates the pipeline from its stages, with empty, open links.
    #[must_use]
    pub fn new(first: Relay, second: Relay) -> Self {
        Self {
            first,
            second,
            net: <PipeBufPair as ::pipebuf::__private::Link>::create(
                ::core::option::Option::None,
                false,
                ::core::option::Option::None,
            ),
            app: <PipeBufPair<
                Message,
            > as ::pipebuf::__private::Link>::create(
                ::core::option::Option::None,
                false,
                ::core::option::Option::None,
            ),
            __pipebuf_chain0: <::pipebuf::PipeBufPair<
                <Relay as ::pipebuf::__private::UpperPort>::Element,
            > as ::pipebuf::__private::Link>::create(
                ::core::option::Option::None,
                false,
                ::core::option::Option::None,
            ),
            __pipebuf: ::pipebuf::__private::Runtime::<2usize>::new(),
        }
    }
    /** Runs the stages until nothing more moves, and says how the pipeline stands.

# Errors

The first stage that failed during this call, as [`ChainError`] (converted by `From` when `#[pipeline(error = ...)]` names another type). Its outputs have been aborted and the abort has reached the ends of the pipeline; it is not called again, while the other stages go on at the next call.*/
    pub fn process(&mut self) -> ::core::result::Result<::pipebuf::Status, ChainError> {
        self.process_with(::pipebuf::Budget::UNLIMITED)
    }
    /// Frees the storage of every link that holds no data and can grow again, so that
    /// an idle pipeline holds no buffer memory; a link grows again when next written.
    /// Drivers call it when a connection goes quiet. The links of a nested pipeline are
    /// its own: call its `release_empty_links` too.
    pub fn release_empty_links(&mut self) {
        <PipeBufPair as ::pipebuf::__private::Link>::release_if_empty(&mut self.net);
        <PipeBufPair<
            Message,
        > as ::pipebuf::__private::Link>::release_if_empty(&mut self.app);
        <::pipebuf::PipeBufPair<
            <Relay as ::pipebuf::__private::UpperPort>::Element,
        > as ::pipebuf::__private::Link>::release_if_empty(&mut self.__pipebuf_chain0);
    }
    /// Runs the stages for at most `budget` passes, and says how the pipeline stands:
    /// [`Status::Pending`](::pipebuf::Status::Pending) if the budget ran out first.
    ///
    /// # Errors
    ///
    /// As [`process`](Self::process).
    pub fn process_with(
        &mut self,
        budget: ::pipebuf::Budget,
    ) -> ::core::result::Result<::pipebuf::Status, ChainError> {
        let mut error = ::core::option::Option::None;
        let next = {
            let mut run = self.__pipebuf.start(budget);
            loop {
                if run.should_call(0usize) {
                    type Ports<'x> = <Relay as ::pipebuf::Stage>::Ports<'x>;
                    let ports = Ports {
                        lower: ::pipebuf::__private::duplex(
                            ::pipebuf::__private::Duplex::upper(&mut self.net),
                        ),
                        upper: ::pipebuf::__private::duplex(
                            ::pipebuf::__private::Duplex::lower(
                                &mut self.__pipebuf_chain0,
                            ),
                        ),
                    };
                    match <Relay as ::pipebuf::Stage>::process(&mut self.first, ports) {
                        ::core::result::Result::Ok(active) => run.record(0usize, active),
                        ::core::result::Result::Err(failure) => {
                            run.fail(0usize);
                            ::pipebuf::__private::Duplex::upper(&mut self.net)
                                .wr
                                .abort();
                            ::pipebuf::__private::Duplex::lower(
                                    &mut self.__pipebuf_chain0,
                                )
                                .wr
                                .abort();
                            error.get_or_insert(ChainError::First(failure));
                        }
                    }
                }
                if run.should_call(1usize) {
                    type Ports<'x> = <Relay as ::pipebuf::Stage>::Ports<'x>;
                    let ports = Ports {
                        upper: ::pipebuf::__private::duplex(
                            ::pipebuf::__private::Duplex::lower(&mut self.app),
                        ),
                        lower: ::pipebuf::__private::duplex(
                            ::pipebuf::__private::Duplex::upper(
                                &mut self.__pipebuf_chain0,
                            ),
                        ),
                    };
                    match <Relay as ::pipebuf::Stage>::process(&mut self.second, ports) {
                        ::core::result::Result::Ok(active) => run.record(1usize, active),
                        ::core::result::Result::Err(failure) => {
                            run.fail(1usize);
                            ::pipebuf::__private::Duplex::lower(&mut self.app)
                                .wr
                                .abort();
                            ::pipebuf::__private::Duplex::upper(
                                    &mut self.__pipebuf_chain0,
                                )
                                .wr
                                .abort();
                            error.get_or_insert(ChainError::Second(failure));
                        }
                    }
                }
                match run
                    .end_pass(|| {
                        0u64
                            .wrapping_add(::pipebuf::__private::Link::trip(&self.net))
                            .wrapping_add(::pipebuf::__private::Link::trip(&self.app))
                            .wrapping_add(
                                ::pipebuf::__private::Link::trip(&self.__pipebuf_chain0),
                            )
                    })
                {
                    ::pipebuf::__private::Next::Again => {}
                    next => break next,
                }
            }
        };
        if let ::core::option::Option::Some(error) = error {
            return ::core::result::Result::Err(error);
        }
        const NAMES: &[&str] = &["first", "second"];
        ::core::result::Result::Ok(
            match next {
                ::pipebuf::__private::Next::Hung { stage } => {
                    ::pipebuf::Status::Hung {
                        stage: match NAMES.get(stage) {
                            ::core::option::Option::Some(name) => name,
                            ::core::option::Option::None => "",
                        },
                    }
                }
                ::pipebuf::__private::Next::Pending => ::pipebuf::Status::Pending,
                _ if ::pipebuf::__private::Link::finished(
                    &self.net,
                    [false, !self.__pipebuf.has_failed(0usize)],
                )
                    && ::pipebuf::__private::Link::finished(
                        &self.app,
                        [!self.__pipebuf.has_failed(1usize), false],
                    )
                    && ::pipebuf::__private::Link::finished(
                        &self.__pipebuf_chain0,
                        [
                            !self.__pipebuf.has_failed(0usize),
                            !self.__pipebuf.has_failed(1usize),
                        ],
                    ) => ::pipebuf::Status::Done,
                _ if ::pipebuf::__private::Link::is_full(&self.net, false)
                    || ::pipebuf::__private::Link::is_full(&self.app, true) => {
                    ::pipebuf::Status::Blocked
                }
                ::pipebuf::__private::Next::Rest { changed: false } => {
                    ::pipebuf::Status::Waiting
                }
                _ => ::pipebuf::Status::Progress,
            },
        )
    }
    /// The wiring of this pipeline: its stages, their ports and its links. Print it with
    /// [`Graph::dot`](::pipebuf::Graph::dot) or [`Graph::mermaid`](::pipebuf::Graph::mermaid).
    pub const GRAPH: ::pipebuf::Graph = ::pipebuf::Graph {
        name: "Chain",
        stages: &[
            ::pipebuf::StageInfo {
                name: "first",
                type_name: "Relay",
                ports: <Relay as ::pipebuf::Stage>::PORTS,
            },
            ::pipebuf::StageInfo {
                name: "second",
                type_name: "Relay",
                ports: <Relay as ::pipebuf::Stage>::PORTS,
            },
        ],
        links: &[
            ::pipebuf::LinkInfo {
                name: "net",
                from: ::core::option::Option::None,
                to: ::core::option::Option::Some(
                    ::pipebuf::Endpoint::new("first", "lower"),
                ),
                duplex: true,
            },
            ::pipebuf::LinkInfo {
                name: "app",
                from: ::core::option::Option::Some(
                    ::pipebuf::Endpoint::new("second", "upper"),
                ),
                to: ::core::option::Option::None,
                duplex: true,
            },
            ::pipebuf::LinkInfo {
                name: "first-second",
                from: ::core::option::Option::Some(
                    ::pipebuf::Endpoint::new("first", "upper"),
                ),
                to: ::core::option::Option::Some(
                    ::pipebuf::Endpoint::new("second", "lower"),
                ),
                duplex: true,
            },
        ],
    };
    /// The pipeline's duplex port `net`, joined to `first.lower`: the outside's end.
    #[inline]
    pub fn net(
        &mut self,
    ) -> ::pipebuf::PBufRdWr<
        '_,
        <PipeBufPair as ::pipebuf::__private::Duplex>::Element,
    > {
        ::pipebuf::__private::Duplex::lower(&mut self.net)
    }
    /// The pipeline's duplex port `app`, joined to `second.upper`: the outside's end.
    #[inline]
    pub fn app(
        &mut self,
    ) -> ::pipebuf::PBufRdWr<
        '_,
        <PipeBufPair<Message> as ::pipebuf::__private::Duplex>::Element,
    > {
        ::pipebuf::__private::Duplex::upper(&mut self.app)
    }
}
#[automatically_derived]
impl ::pipebuf::Pipeline for Chain {
    type Error = ChainError;
    fn process_with(
        &mut self,
        budget: ::pipebuf::Budget,
    ) -> ::core::result::Result<::pipebuf::Status, ChainError> {
        Chain::process_with(self, budget)
    }
    fn release_empty_links(&mut self) {
        Chain::release_empty_links(self);
    }
    fn graph() -> &'static ::pipebuf::Graph {
        &Self::GRAPH
    }
}
/// The errors of [`Chain`]: one variant per stage, holding the stage's own error.
///
/// A stage that cannot fail (its error is `Infallible`) has a variant that cannot be made,
/// and a `match` need not name it.
pub enum ChainError {
    /// Stage `first` failed.
    First(<Relay as ::pipebuf::Stage>::Error),
    /// Stage `second` failed.
    Second(<Relay as ::pipebuf::Stage>::Error),
}
#[automatically_derived]
impl ::core::fmt::Debug for ChainError {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        match self {
            Self::First(error) => f.debug_tuple("First").field(error).finish(),
            Self::Second(error) => f.debug_tuple("Second").field(error).finish(),
        }
    }
}
#[automatically_derived]
impl ChainError {
    /// Returns the name of the stage that failed.
    #[must_use]
    pub fn stage(&self) -> &'static str {
        match self {
            Self::First(_) => "first",
            Self::Second(_) => "second",
        }
    }
}
#[automatically_derived]
impl ::core::fmt::Display for ChainError {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::core::write!(f, "stage `{}` failed", self.stage())
    }
}
#[automatically_derived]
impl ::core::error::Error for ChainError {
    fn source(&self) -> ::core::option::Option<&(dyn ::core::error::Error + 'static)> {
        ::core::option::Option::Some(
            match self {
                Self::First(error) => error,
                Self::Second(error) => error,
            },
        )
    }
}
/// The ports of [`Chain`] as a stage of another pipeline: one per external link.
pub struct ChainPorts<'a> {
    /// The end of the outer link that feeds or drains `net`.
    pub net: ::pipebuf::PBufRdWr<
        'a,
        <PipeBufPair as ::pipebuf::__private::Duplex>::Element,
    >,
    /// The end of the outer link that feeds or drains `app`.
    pub app: ::pipebuf::PBufRdWr<
        'a,
        <PipeBufPair<Message> as ::pipebuf::__private::Duplex>::Element,
    >,
}
#[automatically_derived]
impl ::pipebuf::Stage for Chain {
    type Ports<'a> = ChainPorts<'a>;
    type Error = ChainError;
    const PORTS: &'static [::pipebuf::Port] = &[
        ::pipebuf::Port {
            name: "net",
            direction: ::pipebuf::Direction::Duplex,
            element: "u8",
        },
        ::pipebuf::Port {
            name: "app",
            direction: ::pipebuf::Direction::Duplex,
            element: "Message",
        },
    ];
    fn process(
        &mut self,
        mut ports: ChainPorts<'_>,
    ) -> ::core::result::Result<bool, ChainError> {
        let before = (ports.net.tripwire(), ports.app.tripwire());
        ports.net.rd.forward(::pipebuf::__private::Duplex::lower(&mut self.net).wr);
        ports.app.rd.forward(::pipebuf::__private::Duplex::upper(&mut self.app).wr);
        let result = self.process_with(::pipebuf::Budget::UNLIMITED);
        ::pipebuf::__private::Duplex::lower(&mut self.net)
            .rd
            .forward(ports.net.wr.reborrow());
        ::pipebuf::__private::Duplex::upper(&mut self.app)
            .rd
            .forward(ports.app.wr.reborrow());
        let status = result?;
        let moved = before != (ports.net.tripwire(), ports.app.tripwire());
        ::core::result::Result::Ok(
            moved
                || ::core::matches!(
                    status, ::pipebuf::Status::Progress | ::pipebuf::Status::Hung { .. }
                ),
        )
    }
}
const _: () = {
    ::pipebuf::__private::assert_stage::<Relay>();
    ::pipebuf::__private::assert_stage::<Relay>();
};
