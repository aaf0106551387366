//! `lab`: runs one experiment and prints its result JSON on stdout (progress on stderr). `lab --help` lists the
//! commands; every experiment of the registry is one (`lab q3 --help` shows its question).
//!
//! Exit status: 0 done, 2 bad input, 3 budget breach, 1 anything else; errors are one line on stderr.

use clap::{Arg, ArgAction, ArgMatches, Command};
use helpers::budget::Budget;
use helpers::error::{LabError, Result};
use helpers::measure::alloc::CountingAlloc;
use helpers::{ledger, process, registry, watchdog};
use std::path::PathBuf;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn number(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name).long(name).value_name("N").help(help).allow_hyphen_values(true)
}

/// The commands: `list`, one per experiment, `ledger`; the hidden ones are children the lab starts itself.
fn cli() -> Command {
    let mut cmd = Command::new("lab")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The Rust concurrency lab: runs one experiment and prints its result as JSON (progress on stderr)")
        .subcommand_required(true)
        .subcommand(
            Command::new("list")
                .about("The experiments and their default parameters, as JSON")
                .arg(Arg::new("names").long("names").action(ArgAction::SetTrue).help("Only the names, one a line")),
        )
        .subcommand(
            Command::new("ledger")
                .about("The claim ledger of every result JSON under DIRs, as an HTML fragment (or JSON)")
                .arg(
                    Arg::new("links")
                        .long("links")
                        .value_parser(["html", "ipynb"])
                        .default_value("html")
                        .help("What the claims link to: the HTML reports or the notebooks"),
                )
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue).conflicts_with("links").help(
                    "The ledger as JSON, every verdict, count and machine line decided (the report index's data)",
                ))
                .arg(Arg::new("dirs").value_name("DIR").required(true).num_args(1..).help("Folders of result JSON")),
        )
        .subcommand(
            Command::new("judge")
                .about("Judges saved results again with today's rules; prints each, one JSON per line")
                .arg(Arg::new("files").value_name("FILE").required(true).num_args(1..).help("Result JSON files")),
        )
        // Children that `lab` starts itself; hidden from the help.
        .subcommand(
            Command::new("worker")
                .hide(true)
                .about("A q2 process-pool worker: JSON requests on stdin")
                .arg(Arg::new("raw").long("raw").action(ArgAction::SetTrue).help("Echo bytes back, no JSON")),
        )
        .subcommand(
            Command::new("server")
                .hide(true)
                .about("The loopback server of q4 and q9")
                .arg(Arg::new("config").long("config").value_name("JSON").required(true)),
        )
        .subcommand(
            Command::new("q6-tasks")
                .hide(true)
                .about("q6's idle tasks alone, under another allocator")
                .arg(Arg::new("n").value_name("N").required(true).value_parser(clap::value_parser!(u64))),
        );
    for q in registry::all() {
        let about = q.question().unwrap_or("(not in claims.json)");
        cmd = cmd.subcommand(
            Command::new(q.name)
                .about(about)
                .arg(
                    Arg::new("params")
                        .long("params")
                        .value_name("JSON")
                        .help("Parameters; missing fields keep defaults"),
                )
                .arg(number("max-wall-s", "Wall-time budget, seconds (default 600)"))
                .arg(number("max-rss-mb", "Memory budget for lab and its children, MiB (default 4096)"))
                .arg(number("nofile", "Soft open-files limit for the run (default: as inherited)"))
                .arg(Arg::new("watch-stdin").long("watch-stdin").action(ArgAction::SetTrue).hide(true))
                // The tests' way to start a run that will outgrow its budget: only the watchdog stops it then.
                .arg(Arg::new("no-estimate-check").long("no-estimate-check").action(ArgAction::SetTrue).hide(true)),
        );
    }
    cmd
}

/// A flag's number, or a bad-input error naming the flag.
fn parsed<T: std::str::FromStr>(m: &ArgMatches, flag: &str) -> Result<Option<T>> {
    match m.get_one::<String>(flag) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| LabError::invalid(format!("--{flag} must be a number; got {v:?}"))),
    }
}

fn budget(m: &ArgMatches) -> Result<Budget> {
    let d = Budget::default();
    let b = Budget {
        max_wall_s: parsed(m, "max-wall-s")?.unwrap_or(d.max_wall_s),
        max_rss_mb: parsed(m, "max-rss-mb")?.unwrap_or(d.max_rss_mb),
        nofile: parsed(m, "nofile")?,
    };
    b.validate()?;
    Ok(b)
}

fn list(m: &ArgMatches) -> Result<String> {
    if m.get_flag("names") {
        return Ok(registry::all().iter().map(|q| q.name).collect::<Vec<_>>().join("\n"));
    }
    let mut entries = Vec::new();
    for q in registry::all() {
        entries.push(serde_json::json!({
            "name": q.name,
            "question": q.question()?,
            "notebook": q.notebook()?,
            "twin": q.twin,
            "params": (q.defaults)()?,
        }));
    }
    serde_json::to_string_pretty(&entries).map_err(|e| LabError::other(e.to_string()))
}

fn ledger(m: &ArgMatches) -> Result<String> {
    let dirs: Vec<PathBuf> = m.get_many::<String>("dirs").into_iter().flatten().map(PathBuf::from).collect();
    let l = ledger::Ledger::load(&dirs)?;
    if m.get_flag("json") {
        return l.to_json();
    }
    let ext = if m.get_one::<String>("links").map(String::as_str) == Some("ipynb") { ".ipynb" } else { ".html" };
    Ok(helpers::ledger::html::ledger_html(&l, ext))
}

/// `lab judge FILE...`: each result judged again by its question's rules. A file that is not a result, or lacks
/// what a rule needs, is bad input naming the file.
fn judge(m: &ArgMatches) -> Result<String> {
    let mut lines = Vec::new();
    for file in m.get_many::<String>("files").into_iter().flatten() {
        let named = |e: LabError| LabError::invalid(format!("{file}: {}", e.message));
        let mut r = helpers::load(file).map_err(|e| LabError::invalid(e.message))?;
        (registry::get(&r.experiment).map_err(named)?.judge)(&mut r).map_err(named)?;
        // The ledger shows such a result as not measured; asked to judge it, say what it lacks.
        if let Some(what) = helpers::judging::missing(&r) {
            return Err(LabError::invalid(format!("{file}: lacks what a rule needs: {what}")));
        }
        lines.push(serde_json::to_string(&r).map_err(|e| LabError::other(e.to_string()))?);
    }
    Ok(lines.join("\n"))
}

/// Validates, refuses an estimate over the budget, applies the budget, then measures; the watchdog stops a run that
/// outgrows its estimate.
fn experiment(q: &registry::Question, m: &ArgMatches) -> Result<String> {
    let budget = budget(m)?;
    if m.get_flag("watch-stdin") {
        watchdog::exit_when_stdin_closes();
    }
    watchdog::apply_nofile(&budget)?;
    watchdog::start(&budget);
    let params = m.get_one::<String>("params").map_or("{}", String::as_str);
    let admit = if m.get_flag("no-estimate-check") { Budget::widest() } else { budget };
    (q.run)(params, &admit)?.to_json()
}

fn main_inner() -> Result<String> {
    let matches = match cli().try_get_matches() {
        Ok(m) => m,
        Err(e) if !e.use_stderr() => {
            // --help and --version: shown, and not an error.
            let _ = e.print();
            return Ok(String::new());
        }
        Err(e) if e.kind() == clap::error::ErrorKind::InvalidSubcommand => {
            let name = match e.get(clap::error::ContextKind::InvalidSubcommand) {
                Some(clap::error::ContextValue::String(s)) => s.clone(),
                _ => String::new(),
            };
            return Err(LabError::invalid(format!(
                "unknown experiment {name:?}; known: {} (commands: list, ledger; see lab --help)",
                registry::names()
            )));
        }
        Err(e) => {
            // One line naming what was wrong (clap's first line), not the whole usage.
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("bad usage").trim_start_matches("error: ").to_string();
            return Err(LabError::invalid(format!("{first}; see lab --help")));
        }
    };
    let (name, m) = matches.subcommand().ok_or_else(|| LabError::invalid("name a command; see lab --help"))?;
    match name {
        "list" => list(m),
        "ledger" => ledger(m),
        "judge" => judge(m),
        "worker" if m.get_flag("raw") => helpers::workload::process_pool::serve_raw().map(|_| String::new()),
        "worker" => helpers::workload::process_pool::serve().map(|_| String::new()),
        "server" => {
            let cfg = m.get_one::<String>("config").map_or("", String::as_str);
            let cfg: helpers::workload::server::ServerConfig =
                serde_json::from_str(cfg).map_err(|e| LabError::invalid(format!("server --config: {e}")))?;
            helpers::workload::server::serve(&cfg).map(|_| String::new())
        }
        "q6-tasks" => helpers::q6::measure_tasks_here(m.get_one::<u64>("n").copied().unwrap_or(0)),
        other => experiment(registry::get(other)?, m),
    }
}

fn main() {
    match main_inner() {
        Ok(out) if out.is_empty() => {}
        Ok(out) => {
            // A reader that went away (`lab list | head -1`) is not an error worth a panic.
            use std::io::Write;
            let _ = writeln!(std::io::stdout().lock(), "{out}");
        }
        Err(e) => process::exit_with(&e),
    }
}
