/*
 * fnv.h - FNV-1a 64, the house's one hash: hash-table keys, the plan's
 * digest, the tally snapshot's check, the dashboard's ETags.  None of them
 * needs more than a good spread; none is a defence against anyone.
 *
 * FNV_BASIS is the value the house has used from the start (a digit short
 * of FNV's published offset basis; as good a seed, and what stored ETags
 * and digests were made with).
 */
#ifndef TIENDO_FNV_H
#define TIENDO_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV_BASIS 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/* h with the n bytes at p folded in (start with FNV_BASIS). */
static inline uint64_t
fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

/* The same for a NUL-terminated string. */
static inline uint64_t
fnv_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * FNV_PRIME;
	return h;
}

#endif
