/*
 * ctl_reports.h - tiendo-ctl reports: the stored reports of a pair, with
 * reporter, note and corrections (GET /v1/reports).
 */
#ifndef TIENDO_CTL_REPORTS_H
#define TIENDO_CTL_REPORTS_H

/* argv[0] is "reports"; lang: tiendo-ctl's own --lang (NULL: none),
 * which the command's --lang overrides (lang.h).  Returns a sysexits
 * code. */
int ctl_reports(const char *base, const char *lang, int argc, char **argv);

#endif
