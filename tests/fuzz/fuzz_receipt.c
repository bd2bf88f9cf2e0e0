/*
 * fuzz_receipt.c -- libFuzzer target for the claims path:
 * plugins/in_receipt (in_receipt.c + uke_layout.c, compiled into this
 * program, no dlopen) reading a UKE file through one of the three
 * mappings of mappings/association/ and the engine's real transform
 * (dates, numbers, code maps, identity normalization, pseudonyms).  The
 * first input byte picks the mapping; the rest is the file:
 *   0  uke_claim.xml       emit=claim: whole-claim checks and rejects
 *   1  uke_diagnosis.xml   emit=diagnosis: SY records, 疑い / 主傷病
 *   2  uke_item.xml        emit=item: SI/IY/TO, 診療識別 carried
 * fuzz_run_plugin (fuzz_common.c) checks the record-level invariants
 * (record numbers in order, a reason for every reject that never repeats
 * the value judged, no identifier leaving the transform, counts balance).
 */
#include <stdint.h>

#include "fuzz_common.h"

/* in_receipt.c, compiled into this program */
const struct colink_plugin *colink_plugin_entry(void);

static const char *const mappings[] = {
	"mappings/association/uke_claim.xml", "mappings/association/uke_diagnosis.xml",
	"mappings/association/uke_item.xml",
};
#define NMAPS (sizeof(mappings) / sizeof(mappings[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct colink_mapping *maps[NMAPS];
	static char *path;
	size_t i;
	if (!path) {
		for (i = 0; i < NMAPS; i++)
			maps[i] = fuzz_mapping(mappings[i]);
		path = fuzz_tmp("input.uke");
	}
	if (size < 1)
		return 0;
	fuzz_write(path, data + 1, size - 1);
	fuzz_run_plugin(colink_plugin_entry(), maps[data[0] % NMAPS], path);
	return 0;
}
