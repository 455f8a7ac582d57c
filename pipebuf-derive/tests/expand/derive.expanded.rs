/// The ports of [`Framer`], one field per port.
pub struct FramerPorts<'a, T> {
    /// Port `lower`: duplex port of `u8`.
    pub lower: ::pipebuf::PBufRdWr<'a, u8>,
    /// Port `upper`: duplex port of `Frame<T>`.
    pub upper: ::pipebuf::PBufRdWr<'a, Frame<T>>,
}
#[automatically_derived]
impl<T: Clone> ::pipebuf::Stage for Framer<T> {
    type Ports<'a> = FramerPorts<'a, T> where Self: 'a;
    type Error = FrameError;
    const PORTS: &'static [::pipebuf::Port] = &[
        ::pipebuf::Port {
            name: "lower",
            direction: ::pipebuf::Direction::Duplex,
            element: "u8",
        },
        ::pipebuf::Port {
            name: "upper",
            direction: ::pipebuf::Direction::Duplex,
            element: "Frame<T>",
        },
    ];
    #[inline]
    fn process(
        &mut self,
        ports: FramerPorts<'_, T>,
    ) -> ::core::result::Result<bool, FrameError> {
        use ::pipebuf::__private::AddAnInherentProcessFnToTheStage as _;
        ::pipebuf::__private::ProcessResult::<
            FrameError,
        >::into_result(Self::process(self, ports))
    }
}
#[automatically_derived]
impl<T: Clone> ::pipebuf::__private::UpperPort for Framer<T> {
    type Element = Frame<T>;
}
