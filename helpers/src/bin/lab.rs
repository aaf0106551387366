//! `lab`: runs one experiment and prints its result JSON on stdout (progress on stderr).
//!
//!   lab list                                   experiments and their default parameters, as JSON
//!   lab <experiment> [--params JSON] [--max-wall-s S] [--max-rss-mb MB] [--nofile N]
//!
//! Exit status: 0 done, 2 bad input, 3 budget breach, 1 anything else; errors are one line on stderr.

use helpers::budget::{watchdog, Budget};
use helpers::error::{LabError, Result};
use helpers::experiments::{self, q1, q2, q3, q4, q5, q6, q7, q8, q9};
use helpers::measure::alloc::CountingAlloc;
use helpers::params::ExperimentParams;
use helpers::result::LabResult;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const USAGE: &str = "usage: lab list | lab <experiment> [--params JSON] [--max-wall-s S] [--max-rss-mb MB] \
                     [--nofile N] | lab ledger [--links html|ipynb] DIR...";

struct Args {
    experiment: String,
    params: String,
    budget: Budget,
    watch_stdin: bool,
}

fn flag_value<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T> {
    let v = v.ok_or_else(|| LabError::invalid(format!("{flag} needs a value; {USAGE}")))?;
    v.parse().map_err(|_| LabError::invalid(format!("{flag} must be a number; got {v:?}")))
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args> {
    let experiment = it.next().ok_or_else(|| LabError::invalid(USAGE))?;
    let mut a = Args { experiment, params: "{}".into(), budget: Budget::default(), watch_stdin: false };
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--params" => a.params = it.next().ok_or_else(|| LabError::invalid("--params needs a JSON object"))?,
            "--max-wall-s" => a.budget.max_wall_s = flag_value(&flag, it.next())?,
            "--max-rss-mb" => a.budget.max_rss_mb = flag_value(&flag, it.next())?,
            "--nofile" => a.budget.nofile = Some(flag_value(&flag, it.next())?),
            "--watch-stdin" => a.watch_stdin = true,
            other => return Err(LabError::invalid(format!("unknown argument {other:?}; {USAGE}"))),
        }
    }
    a.budget.validate()?;
    Ok(a)
}

fn list() -> Result<String> {
    let entries: Vec<serde_json::Value> = experiments::all()
        .iter()
        .map(|e| serde_json::json!({"name": e.name, "question": e.question, "params": (e.default_params)()}))
        .collect();
    serde_json::to_string_pretty(&entries).map_err(|e| LabError::other(e.to_string()))
}

/// Parses, validates, then measures. (The runner refuses runs whose estimate is over budget before starting
/// `lab`; here the watchdog alone enforces the budget, so a run that outgrows its estimate still stops.)
fn execute<P: ExperimentParams>(json: &str, run: fn(&P) -> Result<LabResult>) -> Result<String> {
    run(&P::from_json(json)?)?.to_json()
}

/// `lab ledger [--links html|ipynb] DIR...`: the ledger of every result under DIRs, as an HTML fragment.
fn ledger(args: Vec<String>) -> Result<String> {
    let usage = "usage: lab ledger [--links html|ipynb] DIR...";
    let mut ext = ".html";
    let mut dirs = Vec::new();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--links" => {
                ext = match it.next().as_deref() {
                    Some("html") => ".html",
                    Some("ipynb") => ".ipynb",
                    other => {
                        return Err(LabError::invalid(format!("--links takes html or ipynb, not {other:?}; {usage}")))
                    }
                }
            }
            flag if flag.starts_with("--") => return Err(LabError::invalid(format!("unknown flag {flag}; {usage}"))),
            dir => dirs.push(std::path::PathBuf::from(dir)),
        }
    }
    if dirs.is_empty() {
        return Err(LabError::invalid(format!("name at least one folder of result JSON files; {usage}")));
    }
    Ok(helpers::display::ledger_html(&helpers::ledger::Ledger::load(&dirs)?, ext))
}

fn main_inner() -> Result<String> {
    let mut argv = std::env::args().skip(1).peekable();
    match argv.peek().map(String::as_str) {
        None | Some("-h") | Some("--help") | Some("help") => {
            return Err(LabError::invalid(format!(
                "{USAGE}\nexperiments: {}",
                experiments::all().iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
            )))
        }
        Some("list") => return list(),
        // A process-pool worker for q2: answers JSON requests on stdin (see workload::process_pool).
        Some("worker") => return helpers::workload::process_pool::serve().map(|_| String::new()),
        // q6's measurement of idle tasks alone, run in a child under another allocator: `lab q6-tasks N`.
        Some("q6-tasks") => {
            let n =
                argv.nth(1).and_then(|n| n.parse().ok()).ok_or_else(|| LabError::invalid("usage: lab q6-tasks N"))?;
            return q6::measure_tasks_here(n);
        }
        // The claim ledger of the results under the given folders, as HTML (the report index embeds it).
        Some("ledger") => return ledger(argv.skip(1).collect()),
        // The loopback server of q4 and q9: `lab server --config JSON` (see workload::server).
        Some("server") => {
            let cfg = argv.nth(2).ok_or_else(|| LabError::invalid("usage: lab server --config JSON"))?;
            let cfg: helpers::workload::server::ServerConfig =
                serde_json::from_str(&cfg).map_err(|e| LabError::invalid(format!("server config: {e}")))?;
            return helpers::workload::server::serve(&cfg).map(|_| String::new());
        }
        _ => {}
    }
    let args = parse_args(argv)?;
    if args.watch_stdin {
        watchdog::exit_when_stdin_closes();
    }
    watchdog::apply_nofile(&args.budget)?;
    watchdog::start(&args.budget);
    match args.experiment.as_str() {
        "q1" => execute::<q1::Params>(&args.params, q1::execute),
        "q2" => execute::<q2::Params>(&args.params, q2::execute),
        "q3" => execute::<q3::Params>(&args.params, q3::execute),
        "q4" => execute::<q4::Params>(&args.params, q4::execute),
        "q5" => execute::<q5::Params>(&args.params, q5::execute),
        "q6" => execute::<q6::Params>(&args.params, q6::execute),
        "q7" => execute::<q7::Params>(&args.params, q7::execute),
        "q8" => execute::<q8::Params>(&args.params, q8::execute),
        "q9" => execute::<q9::Params>(&args.params, q9::execute),
        other => Err(LabError::invalid(format!(
            "unknown experiment {other:?}; known: {}",
            experiments::all().iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn main() {
    match main_inner() {
        Ok(json) if json.is_empty() => {}
        Ok(json) => println!("{json}"),
        Err(e) => watchdog::stop(&e),
    }
}
