/*
 * taskgroup.c - see taskgroup.h.
 */
#include "taskgroup.h"

static int
urgency(enum tally_status s)
{
	switch (s) {
	case STATUS_OVERDUE: return 6;
	case STATUS_CRITICAL: return 5;
	case STATUS_SILENT: return 4;
	case STATUS_MISSING: return 4;
	case STATUS_LAGGING: return 3;
	case STATUS_ON_TRACK: return 2;
	case STATUS_DONE: return 2; /* beside others: as on track */
	default: return 1;          /* not_started */
	}
}

enum tally_status
taskgroup_status(const enum tally_status *s, size_t n)
{
	enum tally_status worst = STATUS_DONE;
	int all_done = 1, u = -1;

	for (size_t i = 0; i < n; i++) {
		all_done &= s[i] == STATUS_DONE;
		if (urgency(s[i]) > u) {
			u = urgency(s[i]);
			worst = s[i] == STATUS_DONE ? STATUS_ON_TRACK : s[i];
		}
	}
	return all_done ? STATUS_DONE : worst;
}
