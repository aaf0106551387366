#!/usr/bin/env bash
# One set-up step as a person reads it: a line saying what starts, then one saying how it ended and how long it
# took; everything the command prints goes to a log file that line names. A failure prints the log's last lines.
#   tools/step.sh NAME "what it does" 'shell command'
# Logs go to $LAB_SETUP_LOGS (default target/setup/NAME.log).
set -u
name=$1 what=$2 cmd=$3
dir=${LAB_SETUP_LOGS:-target/setup}
mkdir -p "$dir"
log=$dir/$name.log
echo "--> $name: $what"
start=$SECONDS
if bash -o pipefail -c "$cmd" >"$log" 2>&1; then
  echo "==> $name: done in $((SECONDS - start)) s (log: $log)"
else
  rc=$?
  echo "==> $name: FAILED (exit $rc) after $((SECONDS - start)) s; the last lines of $log:"
  tail -n 30 "$log" | sed 's/^/    /'
  exit "$rc"
fi
