//! What a pipeline run reports, and how much work one call may do.

/// How a pipeline stands after a call to its `process`.
///
/// # Examples
///
/// ```
/// use pipebuf::Status;
///
/// assert!(Status::Pending.must_call_again());
/// assert!(!Status::Waiting.must_call_again());
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// No stage had anything to do: they wait for input.
    Waiting,
    /// Stages reported activity, and then everything came to rest; the caller should take what
    /// the outputs hold and feed the inputs again.
    Progress,
    /// Everything came to rest with an output full (its fixed capacity or limit reached): the
    /// caller must drain it before more can move. A stage that needs more room than is left, but
    /// finds some, reports no activity without filling it, so the pipeline says `Progress` or
    /// `Waiting` then: a caller should take what the outputs hold after every call, whatever the
    /// status.
    Blocked,
    /// The budget ran out while the stages were still busy: call again (after serving others).
    Pending,
    /// Every stream in the pipeline has ended and every stage has taken all of its input:
    /// nothing more will happen. The outputs may still hold data for the caller to take.
    Done,
    /// A stage kept reporting activity without changing anything: a bug in that stage. The run
    /// stopped instead of looping forever, after 64 to 128 passes in which no buffer changed.
    Hung {
        /// The name of the stage, as the pipeline calls it.
        stage: &'static str,
    },
}

impl Status {
    /// Returns true if work is left that only another call will do.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pipebuf::Status::Pending.must_call_again());
    /// ```
    #[must_use]
    pub const fn must_call_again(self) -> bool {
        matches!(self, Status::Pending)
    }
}

/// How many passes over its stages one call of a pipeline's `process` may make.
///
/// A pass calls every stage that may have work once. With a budget, a driver serving many
/// pipelines on one thread gives each a fair share: a busy one returns [`Status::Pending`] and
/// waits its next turn instead of starving the others.
///
/// # Examples
///
/// ```
/// use pipebuf::Budget;
///
/// assert_eq!(Budget::passes(8).max_passes(), 8);
/// assert_eq!(Budget::UNLIMITED.max_passes(), u32::MAX);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Budget {
    passes: u32,
}

impl Budget {
    /// No limit: run until everything comes to rest.
    pub const UNLIMITED: Budget = Budget { passes: u32::MAX };

    /// At most `passes` passes (at least one).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pipebuf::Budget::passes(0).max_passes(), 1);
    /// ```
    #[must_use]
    pub const fn passes(passes: u32) -> Self {
        Budget { passes: if passes == 0 { 1 } else { passes } }
    }

    /// Returns the most passes one call may make.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pipebuf::Budget::passes(3).max_passes(), 3);
    /// ```
    #[must_use]
    pub const fn max_passes(self) -> u32 {
        self.passes
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::UNLIMITED
    }
}
