//! The lab's visual vocabulary, the only file that names colours: what a series or a state means decides how it
//! looks, on every chart. A series' hue is its concept (the async runtime, a thread pool behind it, OS threads,
//! processes, ...), shared by a Rust runtime and its Python twin; the language is the one other channel (Python
//! dashed). States of a request or task have fixed colours (timed out is always red). Model and reference lines
//! are dark grey and dashed. Colours are Paul Tol's bright and muted schemes, which stay apart under the common
//! colour blindnesses.

use plotters::style::RGBColor;

/// Tol's bright scheme.
const BLUE: RGBColor = RGBColor(68, 119, 170);
const CYAN: RGBColor = RGBColor(102, 204, 238);
const GREEN: RGBColor = RGBColor(34, 136, 51);
const YELLOW: RGBColor = RGBColor(204, 187, 68);
const RED: RGBColor = RGBColor(238, 102, 119);
const PURPLE: RGBColor = RGBColor(170, 51, 119);
const GREY: RGBColor = RGBColor(187, 187, 187);
/// From Tol's muted scheme, for the concepts bright has no room for.
const TEAL: RGBColor = RGBColor(68, 170, 153);
const OLIVE: RGBColor = RGBColor(153, 153, 51);
const WINE: RGBColor = RGBColor(136, 34, 85);
const INDIGO: RGBColor = RGBColor(51, 34, 136);
const SAND: RGBColor = RGBColor(221, 204, 119);
const ROSE: RGBColor = RGBColor(204, 102, 119);
/// From Tol's vibrant scheme.
const ORANGE: RGBColor = RGBColor(238, 119, 51);
/// A series the vocabulary has no concept for: a mid grey, lighter for each further one.
const UNKNOWN: RGBColor = RGBColor(119, 119, 119);
/// Models and references: not measurements.
pub(super) const REFERENCE: RGBColor = RGBColor(40, 40, 40);
const BLACK: RGBColor = RGBColor(0, 0, 0);
/// A dot plot's guide: there to lead the eye, not to be read.
pub(super) const GUIDE: RGBColor = RGBColor(215, 215, 215);

/// What a measured series is, by the runtime or mechanism it measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Concept {
    /// An event loop: tokio, asyncio.
    AsyncRuntime,
    /// Work handed from the loop to a thread pool: spawn_blocking, asyncio.to_thread.
    Offload,
    /// OS threads, a thread pool.
    Threads,
    /// Processes, a process pool.
    Processes,
    /// rayon's work-stealing pool.
    Rayon,
    /// One thing after another: the sequential baseline, one document.
    Sequential,
    /// CPU work on the event loop itself: spinning, serializing inline.
    CpuOnLoop,
    /// A blocking call on the event loop: `time.sleep`, `std::thread::sleep` in a task.
    Blocking,
    /// Serializers: serde_json, json, pickle.
    Serializer,
    /// A round trip through a pipe or a thread.
    RoundTrip,
    /// Work done in batches.
    Batched,
    /// Anything else: grey, a lighter shade for each. (A name that starts with "python" and says nothing else is
    /// asyncio's, as the twins name it.)
    Other,
    /// A model or reference line ("ideal", "gil model", "break-even", "cores present").
    Model,
}

impl Concept {
    /// The concept a series name says, by the words in it: the first that matches, in this order (a name such as
    /// "python processes (built in worker)" is processes; "tokio (handles kept)" the async runtime).
    pub(super) fn of(name: &str) -> Concept {
        let words: Vec<&str> = name.split(|c: char| c.is_whitespace() || c == '(' || c == ')').collect();
        let has = |w: &str| words.contains(&w);
        let starts = |p: &str| words.iter().any(|w| w.starts_with(p));
        if has("ideal") || has("model") || has("break-even") || name == "cores present" {
            Concept::Model
        } else if has("round") {
            Concept::RoundTrip
        } else if starts("process") {
            Concept::Processes
        } else if has("spawn_blocking") || has("to_thread") {
            Concept::Offload
        } else if starts("thread") {
            Concept::Threads
        } else if has("rayon") {
            Concept::Rayon
        } else if has("sequential") || name == "one document" {
            Concept::Sequential
        } else if has("blocking") || has("time.sleep") {
            Concept::Blocking
        } else if has("spin") || has("inline") {
            Concept::CpuOnLoop
        } else if has("serde_json") || has("json") || has("pickle") {
            Concept::Serializer
        } else if has("batched") {
            Concept::Batched
        } else if has("tokio")
            || starts("asyncio")
            || words.first() == Some(&"python")
            || has("future")
            || has("sleep")
            || has("current_thread")
            || has("multi_thread")
        {
            Concept::AsyncRuntime
        } else {
            Concept::Other
        }
    }

    /// The concept's hue.
    pub(super) fn hue(self) -> RGBColor {
        match self {
            Concept::AsyncRuntime => BLUE,
            Concept::Offload => CYAN,
            Concept::Threads => GREEN,
            Concept::Processes => PURPLE,
            Concept::Rayon => YELLOW,
            Concept::Sequential => OLIVE,
            Concept::CpuOnLoop => ROSE,
            Concept::Blocking => ORANGE,
            Concept::Serializer => INDIGO,
            Concept::RoundTrip => TEAL,
            Concept::Batched => SAND,
            Concept::Other => UNKNOWN,
            Concept::Model => REFERENCE,
        }
    }
}

/// Which language measured a series: Python's names start with "python" (the twins' convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Rust,
    Python,
}

impl Lang {
    pub(super) fn of(name: &str) -> Lang {
        if name.starts_with("python") {
            Lang::Python
        } else {
            Lang::Rust
        }
    }
}

/// How one series is drawn: its colour, whether its line is dashed (Python, and models), and whether it is dotted
/// (a Python model, so that a Rust and a Python model on one chart differ) and its marks hollow (Python's
/// measurements, so that a Rust point under a Python one still shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Look {
    pub colour: RGBColor,
    pub dashed: bool,
    pub dotted: bool,
    pub hollow: bool,
}

/// The looks of one chart's series: each takes its concept's hue; a second series of the same concept and language
/// (a variant: "spin current_thread" beside "spin multi_thread") takes a lighter shade of it, so no two series of
/// a chart look alike while the hue still says what each is.
pub(super) struct Looks {
    taken: Vec<(String, Look)>,
}

impl Looks {
    pub(super) fn new<'n>(names: impl IntoIterator<Item = &'n str>) -> Self {
        let mut taken: Vec<(String, Look)> = Vec::new();
        let mut seen: Vec<(Concept, Lang)> = Vec::new();
        for name in names {
            if taken.iter().any(|(n, _)| n == name) {
                continue;
            }
            let concept = Concept::of(name);
            let model = concept == Concept::Model;
            // A model of Python's (its fit, the GIL's) is Python's: dotted, where other models are dashed. By the
            // name, so that a model looks the same on every chart.
            let gil = name.split_whitespace().any(|w| w.eq_ignore_ascii_case("gil"));
            let lang = if model && gil { Lang::Python } else { Lang::of(name) };
            let variant = seen.iter().filter(|k| **k == (concept, lang)).count();
            seen.push((concept, lang));
            let python = lang == Lang::Python;
            let colour = shade(concept.hue(), variant);
            let look = Look { colour, dashed: model || python, dotted: model && python, hollow: python && !model };
            taken.push((name.to_string(), look));
        }
        Looks { taken }
    }

    /// `name`'s look on this chart (a name it was not made with gets the look it would have alone).
    pub(super) fn of(&self, name: &str) -> Look {
        self.taken.iter().find(|(n, _)| n == name).map_or_else(|| Looks::new([name]).of(name), |(_, l)| *l)
    }
}

/// What a stack, band or lane shows: a request's or task's state, or a measure with a fixed meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Waiting,
    Running,
    Answered,
    TimedOut,
    Refused,
    Emfile,
    AddrNotAvail,
    ConnError,
    Wasted,
}

impl State {
    /// The state a label names, if it names one.
    pub(super) fn of(label: &str) -> Option<State> {
        let l = label.to_lowercase();
        let has = |w: &str| l.contains(w);
        Some(if has("emfile") || has("too many open files") {
            State::Emfile
        } else if has("eaddrnotavail") {
            State::AddrNotAvail
        } else if has("connection error") {
            State::ConnError
        } else if has("timed out") || has("timeout") {
            State::TimedOut
        } else if has("refused") || l == "429" || has("rejected") {
            State::Refused
        } else if has("client had gone") || has("wasted") {
            State::Wasted
        } else if has("answered") || l == "ok" {
            State::Answered
        } else if has("waiting") || has("queued") {
            State::Waiting
        } else if has("holding") || has("sleeping") || has("in the server") || has("running") || l == "job" {
            State::Running
        } else {
            return None;
        })
    }

    pub(super) fn colour(self) -> RGBColor {
        match self {
            State::Waiting => YELLOW,
            State::Running => BLUE,
            State::Answered => GREEN,
            State::TimedOut => RED,
            State::Refused => PURPLE,
            State::Emfile => BLACK,
            State::AddrNotAvail => GREY,
            State::ConnError => WINE,
            State::Wasted => SAND,
        }
    }
}

/// The colour of the stack or lane labelled `label`, the `i`th of its chart: its state's where it names one,
/// else a fixed order of the colours no state uses.
pub(super) fn stack(label: &str, i: usize) -> RGBColor {
    const REST: [RGBColor; 5] = [INDIGO, TEAL, OLIVE, CYAN, ROSE];
    State::of(label).map_or(REST[i % REST.len()], State::colour)
}

/// The `k`th shade of `c`: `c` itself, then lighter and darker by turns, a quarter further each pair.
fn shade(c: RGBColor, k: usize) -> RGBColor {
    let step = 0.25 * k.div_ceil(2) as f64;
    if k % 2 == 1 {
        lighten(c, step)
    } else {
        let mix = |v: u8| (v as f64 * (1.0 - step.min(0.7))) as u8;
        RGBColor(mix(c.0), mix(c.1), mix(c.2))
    }
}

/// `c` moved towards white by `fraction` (at most 0.7, so a shade never vanishes).
pub(super) fn lighten(c: RGBColor, fraction: f64) -> RGBColor {
    let k = fraction.min(0.7);
    let mix = |v: u8| (v as f64 + (255.0 - v as f64) * k) as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_and_its_twin_share_a_hue_and_differ_in_dash() {
        let looks = Looks::new(["tokio", "python", "spawn_blocking", "python to_thread", "ideal"]);
        assert_eq!(looks.of("tokio").colour, looks.of("python").colour);
        assert!(!looks.of("tokio").dashed && looks.of("python").dashed);
        assert_eq!(looks.of("spawn_blocking").colour, looks.of("python to_thread").colour);
        assert_ne!(looks.of("tokio").colour, looks.of("spawn_blocking").colour);
        assert_eq!(looks.of("ideal"), Look { colour: REFERENCE, dashed: true, dotted: false, hollow: false });
        assert!(looks.of("python").hollow && !looks.of("tokio").hollow);
    }

    #[test]
    fn a_rust_and_a_python_model_differ_in_their_dashes() {
        let looks = Looks::new(["tokio fit model", "python fit model"]);
        let (rust, python) = (looks.of("tokio fit model"), looks.of("python fit model"));
        assert!(rust.dashed && python.dashed && !rust.dotted && python.dotted);
        assert!(!rust.hollow && !python.hollow);
        // The GIL's model is Python's: dotted beside the dashed ideal, each the same wherever it is drawn.
        let looks = Looks::new(["gil model", "ideal"]);
        assert_eq!(looks.of("gil model").colour, looks.of("ideal").colour);
        assert!(looks.of("gil model").dotted && !looks.of("ideal").dotted);
        assert_eq!(looks.of("ideal"), Looks::new(["ideal"]).of("ideal"));
    }

    #[test]
    fn variants_of_one_concept_take_shades_of_its_hue() {
        let looks = Looks::new(["spin current_thread", "spin multi_thread"]);
        assert_ne!(looks.of("spin current_thread").colour, looks.of("spin multi_thread").colour);
        assert_eq!(Concept::of("python processes (built in worker)"), Concept::Processes);
        assert_eq!(Concept::of("tokio (handles kept)"), Concept::AsyncRuntime);
        assert_eq!(Concept::of("python pipe round trip"), Concept::RoundTrip);
        assert_eq!(Concept::of("threads 64 KiB stack"), Concept::Threads);
    }

    #[test]
    fn a_state_has_one_colour_whatever_the_chart_calls_it() {
        assert_eq!(stack("timed out", 0), stack("timeout", 3));
        assert_eq!(stack("EMFILE", 1), stack("emfile", 4));
        assert_eq!(stack("waiting for a permit", 0), stack("queued at the client", 1));
        assert_eq!(stack("ok", 2), stack("answered", 0));
        assert_ne!(stack("timed out", 0), stack("answered", 0));
        assert_eq!(stack("answered a waiting client", 1), stack("ok", 0));
        assert_eq!(Concept::of("blocking sleep current_thread"), Concept::Blocking);
        assert_eq!(Concept::of("python asyncio.sleep"), Concept::AsyncRuntime);
        assert_eq!(Concept::of("python time.sleep"), Concept::Blocking);
        assert_eq!(Concept::of("spin multi_thread"), Concept::CpuOnLoop);
    }
}
