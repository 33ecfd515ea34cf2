/*
 * groupmsg.h - the sentence of a group of alert events, in Vietnamese or
 * English: "37 xã thuộc Tỉnh Vĩnh Phúc chậm tiến độ «Tết trồng cây»: Hoàng
 * Đan, Hợp Hòa, … và 27 đơn vị khác".  Pure.
 */
#ifndef TIENDO_GROUPMSG_H
#define TIENDO_GROUPMSG_H

#include <stddef.h>

#include "alertmsg.h"
#include "group.h"
#include "plan.h"

/* Names shown before "and N more". */
#define GROUPMSG_NAMES 10

/* Writes the sentence into buf (truncated to n, always terminated).
 * Returns buf. */
char *groupmsg_format(const struct plan *p, const struct group *gr,
                      enum alertmsg_lang lang, char *buf, size_t n);

#endif
