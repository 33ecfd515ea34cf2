/*
 * push_csv.h - tiendo-push --csv: reports read from a CSV file.
 */
#ifndef TIENDO_PUSH_CSV_H
#define TIENDO_PUSH_CSV_H

#include "push.h"
#include "when.h"

/* Reads the CSV (path, or stdin for "-") into nw; returns an exit status
 * (EX_OK when all good; every bad line said). */
int push_csv_read(const char *path, const char *tz, when_t now,
                  struct push_new *nw);

#endif
