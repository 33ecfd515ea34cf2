/*
 * fuzz.h - the libFuzzer entry point every tests/fuzz/fuzz_*.c defines.
 * Built by `make fuzz` (clang, -fsanitize=fuzzer,address,undefined).
 */
#ifndef TIENDO_FUZZ_H
#define TIENDO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
