#!/bin/bash
# tests/metrics-promtool.sh: the /metrics text of src/metrics.c, with every
# counter populated (tests/t_metrics --print), passes Prometheus's own
# checker, `promtool check metrics` (syntax and its lint rules).  Skips
# without promtool (Debian: prometheus).
. "${top_srcdir:-.}/tests/lib/common.sh"

need promtool
t_metrics=$top_builddir/tests/t_metrics
[ -x "$t_metrics" ] || skip_all "tests/t_metrics not built"
t_artifacts
plan 3
"$t_metrics" --print >"$ART/metrics.txt"
ok $? "t_metrics --print wrote the exposition"
promtool check metrics <"$ART/metrics.txt" >"$ART/promtool.log" 2>&1
rc=$?
ok "$rc" "promtool check metrics: no error, no lint finding" ||
    diag_file "$ART/promtool.log"
is "$(grep -c '^# TYPE ' "$ART/metrics.txt")" 9 "nine metric families"
