#!/bin/sh
# The crash test, short: 4 clients x 2000 reports, the daemon SIGKILLed 5
# times.  `make chaos` runs the long one (tests/chaos/chaos.sh).
CHAOS_CLIENTS=${CHAOS_CLIENTS:-4} CHAOS_REPORTS=${CHAOS_REPORTS:-2000} \
CHAOS_KILLS=${CHAOS_KILLS:-5}
export CHAOS_CLIENTS CHAOS_REPORTS CHAOS_KILLS
. "$(dirname "$0")/../chaos/chaos.sh"
