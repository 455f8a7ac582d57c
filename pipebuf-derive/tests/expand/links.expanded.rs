struct Loud {
    lines: Lines,
    shout: Shout,
    text: PipeBuf,
    whole: PipeBuf,
    loud: PipeBuf,
    __pipebuf: ::pipebuf::__private::Runtime<2usize>,
}
#[automatically_derived]
impl Loud {
    /// Creates the pipeline from its stages, with empty, open links.
    #[must_use]
    fn new(lines: Lines, shout: Shout) -> Self {
        Self {
            lines,
            shout,
            text: <PipeBuf as ::pipebuf::__private::Link>::create(
                ::core::option::Option::None,
                false,
                ::core::option::Option::None,
            ),
            whole: <PipeBuf as ::pipebuf::__private::Link>::create(
                ::core::option::Option::Some(4096),
                true,
                ::core::option::Option::Some(1 << 16),
            ),
            loud: <PipeBuf as ::pipebuf::__private::Link>::create(
                ::core::option::Option::None,
                false,
                ::core::option::Option::None,
            ),
            __pipebuf: ::pipebuf::__private::Runtime::<2usize>::new(),
        }
    }
    /** Runs the stages until nothing more moves, and says how the pipeline stands.

# Errors

The first stage that failed during this call, as [`LoudError`] (converted by `From` when `#[pipeline(error = ...)]` names another type). Its outputs have been aborted and the abort has reached the ends of the pipeline; it is not called again, while the other stages go on at the next call.*/
    fn process(&mut self) -> ::core::result::Result<::pipebuf::Status, AppError> {
        self.process_with(::pipebuf::Budget::UNLIMITED)
    }
    /// Frees the storage of every link that holds no data and can grow again, so that
    /// an idle pipeline holds no buffer memory; a link grows again when next written.
    /// Drivers call it when a connection goes quiet. The links of a nested pipeline are
    /// its own: call its `release_empty_links` too.
    fn release_empty_links(&mut self) {
        <PipeBuf as ::pipebuf::__private::Link>::release_if_empty(&mut self.text);
        <PipeBuf as ::pipebuf::__private::Link>::release_if_empty(&mut self.whole);
        <PipeBuf as ::pipebuf::__private::Link>::release_if_empty(&mut self.loud);
    }
    /// Runs the stages for at most `budget` passes, and says how the pipeline stands:
    /// [`Status::Pending`](::pipebuf::Status::Pending) if the budget ran out first.
    ///
    /// # Errors
    ///
    /// As [`process`](Self::process).
    fn process_with(
        &mut self,
        budget: ::pipebuf::Budget,
    ) -> ::core::result::Result<::pipebuf::Status, AppError> {
        let mut error = ::core::option::Option::None;
        let next = {
            let mut run = self.__pipebuf.start(budget);
            loop {
                if run.should_call(0usize) {
                    type Ports<'x> = <Lines as ::pipebuf::Stage>::Ports<'x>;
                    let ports = Ports {
                        input: ::pipebuf::__private::input(
                            ::pipebuf::__private::Simplex::rd(&mut self.text),
                        ),
                        output: ::pipebuf::__private::output(
                            ::pipebuf::__private::Simplex::wr(&mut self.whole),
                        ),
                    };
                    match <Lines as ::pipebuf::Stage>::process(&mut self.lines, ports) {
                        ::core::result::Result::Ok(active) => run.record(0usize, active),
                        ::core::result::Result::Err(failure) => {
                            run.fail(0usize);
                            ::pipebuf::__private::Simplex::wr(&mut self.whole).abort();
                            error.get_or_insert(LoudError::Lines(failure));
                        }
                    }
                }
                if run.should_call(1usize) {
                    type Ports<'x> = <Shout as ::pipebuf::Stage>::Ports<'x>;
                    let ports = Ports {
                        input: ::pipebuf::__private::input(
                            ::pipebuf::__private::Simplex::rd(&mut self.whole),
                        ),
                        output: ::pipebuf::__private::output(
                            ::pipebuf::__private::Simplex::wr(&mut self.loud),
                        ),
                    };
                    match <Shout as ::pipebuf::Stage>::process(&mut self.shout, ports) {
                        ::core::result::Result::Ok(active) => run.record(1usize, active),
                        ::core::result::Result::Err(failure) => {
                            run.fail(1usize);
                            ::pipebuf::__private::Simplex::wr(&mut self.loud).abort();
                            error.get_or_insert(LoudError::Shout(failure));
                        }
                    }
                }
                match run
                    .end_pass(|| {
                        0u64
                            .wrapping_add(::pipebuf::__private::Link::trip(&self.text))
                            .wrapping_add(::pipebuf::__private::Link::trip(&self.whole))
                            .wrapping_add(::pipebuf::__private::Link::trip(&self.loud))
                    })
                {
                    ::pipebuf::__private::Next::Again => {}
                    next => break next,
                }
            }
        };
        if let ::core::option::Option::Some(error) = error {
            return ::core::result::Result::Err(::core::convert::From::from(error));
        }
        const NAMES: &[&str] = &["lines", "shout"];
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
                    &self.text,
                    [!self.__pipebuf.has_failed(0usize), false],
                )
                    && ::pipebuf::__private::Link::finished(
                        &self.whole,
                        [!self.__pipebuf.has_failed(1usize), false],
                    )
                    && ::pipebuf::__private::Link::finished(
                        &self.loud,
                        [false, false],
                    ) => ::pipebuf::Status::Done,
                _ if ::pipebuf::__private::Link::is_full(&self.loud, false) => {
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
    const GRAPH: ::pipebuf::Graph = ::pipebuf::Graph {
        name: "Loud",
        stages: &[
            ::pipebuf::StageInfo {
                name: "lines",
                type_name: "Lines",
                ports: <Lines as ::pipebuf::Stage>::PORTS,
            },
            ::pipebuf::StageInfo {
                name: "shout",
                type_name: "Shout",
                ports: <Shout as ::pipebuf::Stage>::PORTS,
            },
        ],
        links: &[
            ::pipebuf::LinkInfo {
                name: "text",
                from: ::core::option::Option::None,
                to: ::core::option::Option::Some(
                    ::pipebuf::Endpoint::new("lines", "input"),
                ),
                duplex: false,
            },
            ::pipebuf::LinkInfo {
                name: "whole",
                from: ::core::option::Option::Some(
                    ::pipebuf::Endpoint::new("lines", "output"),
                ),
                to: ::core::option::Option::Some(
                    ::pipebuf::Endpoint::new("shout", "input"),
                ),
                duplex: false,
            },
            ::pipebuf::LinkInfo {
                name: "loud",
                from: ::core::option::Option::Some(
                    ::pipebuf::Endpoint::new("shout", "output"),
                ),
                to: ::core::option::Option::None,
                duplex: false,
            },
        ],
    };
    /// The pipeline's input `text`, read by `lines.input`: write into it, close or abort it.
    #[inline]
    fn text(
        &mut self,
    ) -> ::pipebuf::PBufWr<'_, <PipeBuf as ::pipebuf::__private::Simplex>::Element> {
        ::pipebuf::__private::Simplex::wr(&mut self.text)
    }
    /// The pipeline's output `loud`, written by `shout.output`: read from it.
    #[inline]
    fn loud(
        &mut self,
    ) -> ::pipebuf::PBufRd<'_, <PipeBuf as ::pipebuf::__private::Simplex>::Element> {
        ::pipebuf::__private::Simplex::rd(&mut self.loud)
    }
}
#[automatically_derived]
impl ::pipebuf::Pipeline for Loud {
    type Error = AppError;
    fn process_with(
        &mut self,
        budget: ::pipebuf::Budget,
    ) -> ::core::result::Result<::pipebuf::Status, AppError> {
        Loud::process_with(self, budget)
    }
    fn release_empty_links(&mut self) {
        Loud::release_empty_links(self);
    }
    fn graph() -> &'static ::pipebuf::Graph {
        &Self::GRAPH
    }
}
/// The errors of [`Loud`]: one variant per stage, holding the stage's own error.
///
/// A stage that cannot fail (its error is `Infallible`) has a variant that cannot be made,
/// and a `match` need not name it.
enum LoudError {
    /// Stage `lines` failed.
    Lines(<Lines as ::pipebuf::Stage>::Error),
    /// Stage `shout` failed.
    Shout(<Shout as ::pipebuf::Stage>::Error),
}
#[automatically_derived]
impl ::core::fmt::Debug for LoudError {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        match self {
            Self::Lines(error) => f.debug_tuple("Lines").field(error).finish(),
            Self::Shout(error) => f.debug_tuple("Shout").field(error).finish(),
        }
    }
}
#[automatically_derived]
impl LoudError {
    /// Returns the name of the stage that failed.
    #[must_use]
    fn stage(&self) -> &'static str {
        match self {
            Self::Lines(_) => "lines",
            Self::Shout(_) => "shout",
        }
    }
}
#[automatically_derived]
impl ::core::fmt::Display for LoudError {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::core::write!(f, "stage `{}` failed", self.stage())
    }
}
#[automatically_derived]
impl ::core::error::Error for LoudError {
    fn source(&self) -> ::core::option::Option<&(dyn ::core::error::Error + 'static)> {
        ::core::option::Option::Some(
            match self {
                Self::Lines(error) => error,
                Self::Shout(error) => error,
            },
        )
    }
}
/// The ports of [`Loud`] as a stage of another pipeline: one per external link.
struct LoudPorts<'a> {
    /// The end of the outer link that feeds or drains `text`.
    pub text: ::pipebuf::PBufRd<'a, <PipeBuf as ::pipebuf::__private::Simplex>::Element>,
    /// The end of the outer link that feeds or drains `loud`.
    pub loud: ::pipebuf::PBufWr<'a, <PipeBuf as ::pipebuf::__private::Simplex>::Element>,
}
#[automatically_derived]
impl ::pipebuf::Stage for Loud {
    type Ports<'a> = LoudPorts<'a>;
    type Error = AppError;
    const PORTS: &'static [::pipebuf::Port] = &[
        ::pipebuf::Port {
            name: "text",
            direction: ::pipebuf::Direction::Input,
            element: "u8",
        },
        ::pipebuf::Port {
            name: "loud",
            direction: ::pipebuf::Direction::Output,
            element: "u8",
        },
    ];
    fn process(
        &mut self,
        mut ports: LoudPorts<'_>,
    ) -> ::core::result::Result<bool, AppError> {
        let before = (ports.text.tripwire(), ports.loud.tripwire());
        ports.text.forward(::pipebuf::__private::Simplex::wr(&mut self.text));
        let result = self.process_with(::pipebuf::Budget::UNLIMITED);
        ::pipebuf::__private::Simplex::rd(&mut self.loud).forward(ports.loud.reborrow());
        let status = result?;
        let moved = before != (ports.text.tripwire(), ports.loud.tripwire());
        ::core::result::Result::Ok(
            moved
                || ::core::matches!(
                    status, ::pipebuf::Status::Progress | ::pipebuf::Status::Hung { .. }
                ),
        )
    }
}
const _: () = {
    ::pipebuf::__private::assert_stage::<Lines>();
    ::pipebuf::__private::assert_stage::<Shout>();
};
