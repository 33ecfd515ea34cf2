/*
 * ctl_silence.h - `tiendo-ctl silence add|list|expire`, over the daemon's
 * /v1/silences.
 */
#ifndef TIENDO_CTL_SILENCE_H
#define TIENDO_CTL_SILENCE_H

/* argv[0] is "silence"; lang: tiendo-ctl's own --lang (NULL: none),
 * which the command's --lang overrides (lang.h).  Returns a sysexits
 * code. */
int ctl_silence(const char *base, const char *lang, int argc, char **argv);

#endif
