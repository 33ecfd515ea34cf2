/*
 * nulcheck - what the NUL check (daemon/nulcheck.c) costs an ingest batch
 * of 100 reports, beside the decode it follows, for a minimal encoding
 * (what protobuf-c, Go and Python clients send), a non-minimal one (a
 * field written twice) and one with a NUL in a note.
 *
 *   nulcheck [--rounds 20000]
 *
 * Times are CPU time of the thread, in ns per batch, the median of 9 runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nulcheck.h"
#include "tiendo.pb-c.h"

#define REPORTS 100

static double
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The batch's encoding in a malloc'd buffer of *len bytes. */
static uint8_t *
encode(size_t *len, size_t extra)
{
	Tiendo__Batch b = TIENDO__BATCH__INIT;
	Tiendo__Report r[REPORTS], *rp[REPORTS];
	uint8_t *buf;

	b.version = 1;
	b.client = "hoang-dan";
	b.batch_id = 123456789;
	for (size_t i = 0; i < REPORTS; i++) {
		tiendo__report__init(&r[i]);
		r[i].seq = 1000000 + i;
		r[i].unit = "hoang-dan";
		r[i].task = "tet-trong-cay";
		r[i].value = "12.5";
		r[i].kind = TIENDO__KIND__KIND_ADD;
		r[i].observed_at = 1614560400000LL + (int64_t)i;
		r[i].reporter = "Nguyễn Văn An";
		r[i].note = "đợt 1, thôn Đông";
		rp[i] = &r[i];
	}
	b.n_reports = REPORTS;
	b.reports = rp;
	*len = tiendo__batch__get_packed_size(&b);
	if ((buf = malloc(*len + extra)) == NULL)
		return NULL;
	tiendo__batch__pack(&b, buf);
	return buf;
}

static int
bench(const char *name, const uint8_t *buf, size_t len, int rounds)
{
	double dec[9], chk[9];
	struct nulcheck_hit bh, hits[REPORTS];
	int found = 0;

	for (int run = 0; run < 9; run++) {
		double t0, t1, t2 = 0, t3 = 0;
		for (int k = 0; k < rounds; k++) {
			Tiendo__Batch *b;
			t0 = now_ns();
			b = tiendo__batch__unpack(NULL, len, buf);
			t1 = now_ns();
			if (b == NULL || b->n_reports != REPORTS) {
				fprintf(stderr, "nulcheck: %s: does not decode\n", name);
				return -1;
			}
			found = nulcheck_batch(b, buf, len, &bh, hits);
			t2 += t1 - t0;
			t3 += now_ns() - t1;
			tiendo__batch__free_unpacked(b, NULL);
			if (found < 0) {
				fprintf(stderr, "nulcheck: %s: check failed\n", name);
				return -1;
			}
		}
		dec[run] = t2 / rounds;
		chk[run] = t3 / rounds;
	}
	qsort(dec, 9, sizeof *dec, cmp_dbl);
	qsort(chk, 9, sizeof *chk, cmp_dbl);
	printf("%-12s %5zu bytes  decode %8.0f ns  nulcheck %8.0f ns (%4.1f %%)"
	       "  NUL found: %s\n", name, len, dec[4], chk[4],
	       100 * chk[4] / dec[4], found ? "yes" : "no");
	return 0;
}

int
main(int argc, char **argv)
{
	int rounds = 20000;
	size_t len;
	uint8_t *buf;
	char *nul;

	if (argc == 3 && strcmp(argv[1], "--rounds") == 0)
		rounds = atoi(argv[2]);
	if (rounds <= 0) {
		fprintf(stderr, "usage: nulcheck [--rounds N]\n");
		return 64;
	}
	if ((buf = encode(&len, 2)) == NULL) {
		fprintf(stderr, "nulcheck: out of memory\n");
		return 71;
	}
	if (bench("minimal", buf, len, rounds) < 0)
		return 1;
	/* batch_id written twice (the last one wins): 2 bytes that a
	 * re-encoding does not have.  123456789 is 4 varint bytes; version's
	 * 1 is written again instead: field 1, varint 1. */
	buf[len] = 0x08;
	buf[len + 1] = 0x01;
	if (bench("non-minimal", buf, len + 2, rounds) < 0)
		return 1;
	/* A NUL inside the last report's note, lengths intact. */
	if ((nul = memmem(buf, len, "thôn", 5)) == NULL)
		return 1;
	for (char *p = nul; (p = memmem(p + 1, len - (size_t)(p + 1 - (char *)buf), "thôn", 5)); )
		nul = p;
	*nul = '\0';
	if (bench("with a NUL", buf, len, rounds) < 0)
		return 1;
	free(buf);
	return 0;
}
