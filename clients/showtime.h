/*
 * showtime.h - how every client shows an instant to a person.
 *
 * One rule for tiendo-ctl, tiendo-push and tiendo-sub: an instant is
 * written in the zone of the process ($TZ, else the system's), always
 * followed by its numeric UTC offset, so that a line copied from a
 * terminal in Hanoi and read in New York still names one instant:
 *
 *   en  "2021-02-17 08:30:00 +07:00"
 *   vi  "17/02/2021 08:30:00 +07:00"   (the date as a Vietnamese clerk
 *                                        writes it; the offset stays)
 *
 * The plan's zone plays no part here: it says what the plan's dates mean
 * (a deadline day, a period), not where the reader sits.  Output for
 * programs (--json, TIENDO_ALERT_AT) keeps RFC 3339 UTC or epoch
 * milliseconds and does not come through here.
 */
#ifndef TIENDO_SHOWTIME_H
#define TIENDO_SHOWTIME_H

#include <stddef.h>

#include "when.h"

/* Room for any showtime() result (a year of up to 11 digits from a
 * hostile int64, an offset with seconds). */
#define SHOWTIME_BUFSZ 64

/* Instant t as above; vi selects the dd/mm/yyyy date.  "?" when the
 * C library cannot break it down.  Returns buf. */
char *showtime(when_t t, int vi, char *buf, size_t n);

/* An instant the daemon sent as text (RFC 3339, "...T01:30:00.000Z"),
 * shown by showtime(); the text itself when it does not parse (so nothing
 * the daemon said is lost), which includes "". */
const char *showtime_text(const char *s, int vi, char *buf, size_t n);

#endif
