/*
 * person_map.c -- a first load finds its persons by pseudonym in memory
 * (schema 15; issue #15's lever "no per-row lookups in the database").
 *
 * person.person_id is unique through the index person_person_id
 * (schema.c, person_id_index).  Filled row by row it takes the pseudonyms
 * at random, and once it outgrows the page cache every insert and every
 * lookup by pseudonym reads and writes a random page: at 6M persons 65 s
 * of CPU against 11 s for one sorted CREATE INDEX (bench/RESULTS.md, round
 * 12 part 3).  So a first load (no person in the warehouse yet:
 * osq_run_transaction) drops the index inside its transaction and finds
 * the persons it has written through this map instead; osq_person_index
 * builds the index again, by one sort, before anything reads person by
 * person_id (the pseudonym flush, the link phase, the reference check)
 * and before COMMIT.  A reader meanwhile sees the last committed
 * warehouse, index included (WAL); a killed or failed run rolls the drop
 * back with everything else.
 *
 * The map holds no pseudonym.  An entry is 8 bytes: 32 bits of the
 * pseudonym (the tag) and the person's person_no.  1,024 open-addressing
 * tables (the pseudonym's first 10 bits choose one; HMAC output is
 * uniform) each double on their own, so growing never holds two copies of
 * the whole map.  A tag names candidates only: each is read back by its
 * rowid and its person_id compared in full, so a person whose tag another
 * person shares is neither merged nor missed (the tests force one tag for
 * all: COLINK_TEST_PERSON_MAP_TAG_BITS).  The map is bounded
 * (OSQ_PMAP_MAX_BYTES, 6M persons or more); a load that fills it builds
 * the index at that point and goes on row by row, as a later run does.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "colink/plugin.h"
#include "out_sqlite_int.h"

#define PM_SUB_BITS 10
#define PM_NSUB (1u << PM_SUB_BITS)
#define PM_FIRST_SLOTS 64u
/* The map's memory comes out of the page cache's budget (OSQ_CACHE_KIB),
 * in steps of this many bytes: the load without person_person_id reads
 * and writes the tails of its tables, and the 4M bench's first load peaked
 * at 196 MB with the whole cache beside a 64 MB map. */
#define PM_CACHE_STEP ((size_t)8 << 20)

struct pm_sub {
	uint64_t *slot;  /* tag << 32 | person_no; 0 is empty (person_no >= 1) */
	uint32_t size;   /* a power of two, or 0 before the first entry */
	uint32_t n;
};

struct osq_pmap {
	struct pm_sub sub[PM_NSUB];
	int on;          /* in use: this run dropped person_person_id */
	size_t bytes, max_bytes;
	size_t cache_given; /* bytes the page cache gave the map (PM_CACHE_STEP) */
	uint32_t tag_mask;
	uint64_t persons, candidates;
};

/* The pseudonym's first 16 hex digits (record.c checked all 64). */
static uint64_t prefix(const char *hex)
{
	unsigned char b[8];
	uint64_t h = 0;
	int i;
	osq_unhex(hex, 16, b);
	for (i = 0; i < 8; i++)
		h = h << 8 | b[i];
	return h;
}

static struct pm_sub *sub_of(struct osq_pmap *m, const char *person, uint32_t *tag)
{
	uint64_t h = prefix(person);
	*tag = (uint32_t)(h >> (64 - PM_SUB_BITS - 32)) & m->tag_mask;
	return &m->sub[h >> (64 - PM_SUB_BITS)];
}

static void put(uint64_t *slot, uint32_t size, uint64_t v)
{
	uint32_t i = (uint32_t)(v >> 32) & (size - 1);
	while (slot[i])
		i = (i + 1) & (size - 1);
	slot[i] = v;
}

/* Room for one more entry in s: 0, or 1 when the map is at its bound. */
static int room(const struct colink_host *h, struct osq_pmap *m, struct pm_sub *s)
{
	uint32_t size, i;
	uint64_t *slot;
	if (s->size && (uint64_t)(s->n + 1) * 4 <= (uint64_t)s->size * 3)
		return 0;
	size = s->size ? s->size * 2 : PM_FIRST_SLOTS;
	if (!size || m->bytes - s->size * sizeof(uint64_t) + size * sizeof(uint64_t) >
			     m->max_bytes ||
	    !(slot = h->calloc(size, sizeof(uint64_t))))
		return 1;
	for (i = 0; i < s->size; i++)
		if (s->slot[i])
			put(slot, size, s->slot[i]);
	h->free(s->slot);
	m->bytes += (size - s->size) * sizeof(uint64_t);
	s->slot = slot;
	s->size = size;
	return 0;
}

/* Give back the map's tables and stop using it (the struct stays). */
static void map_clear(struct out_sqlite *o)
{
	struct osq_pmap *m = o->pmap;
	size_t i;
	if (!m)
		return;
	for (i = 0; i < PM_NSUB; i++)
		o->host->free(m->sub[i].slot);
	memset(m, 0, sizeof(*m));
}

/* Before the warehouse is opened, so that a run that cannot have its map
 * fails before it creates a file. */
int osq_person_map_alloc(struct out_sqlite *o, struct colink_error *err)
{
	o->pmap = o->host->calloc(1, sizeof(*o->pmap));
	if (!o->pmap)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

void osq_person_map_free(struct out_sqlite *o)
{
	map_clear(o);
	o->host->free(o->pmap);
	o->pmap = NULL;
	o->person_index_dropped = 0;
}

int osq_person_map_start(struct out_sqlite *o, struct colink_error *err)
{
	const char *mb = getenv("COLINK_TEST_PERSON_MAP_BYTES");
	const char *tb = getenv("COLINK_TEST_PERSON_MAP_TAG_BITS");
	struct osq_pmap *m = o->pmap;
	int rc;
	if (!m)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: first load without its map", o->path);
	map_clear(o);
	m->max_bytes = mb && atol(mb) > 0 ? (size_t)atol(mb) : OSQ_PMAP_MAX_BYTES;
	m->tag_mask = tb && atoi(tb) > 0 && atoi(tb) < 32 ?
		(uint32_t)((1ul << atoi(tb)) - 1) : UINT32_MAX;
	rc = osq_exec(o, "DROP INDEX IF EXISTS person_person_id", "starting a first load", err);
	if (!rc)
		m->on = o->person_index_dropped = 1;
	return rc;
}

/*
 * The person with pseudonym `person`, if this run has written it: *person_no
 * its row (0: none), *other_side whether its side is not `side`.  With no
 * map (a later run, or a first load past the bound) the index answers
 * (record.c's side lookup); *mapped is 1 when the map did.
 */
int osq_person_find(struct out_sqlite *o, const char *person, const char *side,
		    sqlite3_int64 *person_no, int *other_side, int *mapped,
		    struct colink_error *err)
{
	struct osq_pmap *m = o->pmap;
	struct pm_sub *s;
	sqlite3_stmt *st;
	uint32_t tag, i;
	int src;
	*person_no = 0;
	*other_side = 0;
	*mapped = m && m->on;
	if (!*mapped)
		return COLINK_OK;
	s = sub_of(m, person, &tag);
	for (i = s->size ? tag & (s->size - 1) : 0; s->size && s->slot[i];
	     i = (i + 1) & (s->size - 1)) {
		const unsigned char *id;
		if ((uint32_t)(s->slot[i] >> 32) != tag)
			continue;
		m->candidates++;
		st = osq_use(o, ST_PERSON_NO);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(uint32_t)s->slot[i]);
		src = sqlite3_step(st);
		if (src != SQLITE_ROW) {
			sqlite3_reset(st);
			return osq_db_err(o, src == SQLITE_DONE ? SQLITE_CORRUPT : src,
					  "looking up the person", err);
		}
		id = sqlite3_column_text(st, 0);
		if (id && !strcmp((const char *)id, person)) {
			const unsigned char *its = sqlite3_column_text(st, 1);
			*person_no = (sqlite3_int64)(uint32_t)s->slot[i];
			*other_side = its && strcmp((const char *)its, side);
			sqlite3_reset(st);
			return COLINK_OK;
		}
		sqlite3_reset(st);
	}
	return COLINK_OK;
}

/* A person this run has just inserted; past the map's bound, the index is
 * built now and later records look persons up in it. */
int osq_person_added(struct out_sqlite *o, const char *person, sqlite3_int64 person_no,
		     struct colink_error *err)
{
	struct osq_pmap *m = o->pmap;
	struct pm_sub *s;
	uint32_t tag;
	if (!m || !m->on)
		return COLINK_OK;
	s = sub_of(m, person, &tag);
	if (person_no < 1 || person_no > UINT32_MAX || room(o->host, m, s)) {
		o->host->log(o->hc, COLINK_LOG_INFO, "%s: first load: the person map is full "
			     "at %" PRIu64 " persons (%zu MB); person_id is indexed now",
			     o->path, m->persons, m->bytes >> 20);
		return osq_person_index(o, err);
	}
	put(s->slot, s->size, (uint64_t)tag << 32 | (uint64_t)person_no);
	s->n++;
	m->persons++;
	if (m->bytes >= m->cache_given + PM_CACHE_STEP) {
		m->cache_given = m->bytes / PM_CACHE_STEP * PM_CACHE_STEP;
		return osq_cache_less(o, m->cache_given >> 10, err);
	}
	return COLINK_OK;
}

/* person_person_id again, by one sort, if this run dropped it. */
int osq_person_index(struct out_sqlite *o, struct colink_error *err)
{
	struct osq_lap t;
	double w, cpu;
	uint64_t persons = o->pmap ? o->pmap->persons : 0;
	uint64_t candidates = o->pmap ? o->pmap->candidates : 0;
	size_t bytes = o->pmap ? o->pmap->bytes : 0;
	int src, rc;
	map_clear(o);
	if (!o->person_index_dropped)
		return COLINK_OK;
	osq_lap_start(&t);
	/* the sort's memory in place of most of the page cache, as the
	 * pseudonym flush does (96 MiB of both took the 1M load's peak RSS
	 * from 149 to 239 MB) */
	rc = osq_sort_cache(o, OSQ_CACHE_SORT, err);
	if (rc)
		return rc;
	src = sqlite3_exec(o->db, OSQ_PERSON_ID_INDEX_SQL, NULL, NULL, NULL);
	if (src == SQLITE_CONSTRAINT) /* the map let a pseudonym in twice */
		return COLINK_ERR(err, COLINK_EIO, "%s: the run wrote two persons with one "
				  "pseudonym (a colink defect: please report it)", o->path);
	if (src != SQLITE_OK)
		return osq_db_err(o, src, "indexing person_id", err);
	rc = osq_sort_cache(o, OSQ_CACHE_RUN, err);
	if (rc)
		return rc;
	o->person_index_dropped = 0;
	w = osq_lap(&t, &cpu);
	o->host->log(o->hc, COLINK_LOG_INFO, "%s: first load: %" PRIu64 " persons found "
		     "by pseudonym in memory (%zu MB, %" PRIu64 " rows read back); person_id "
		     "indexed in %.2f s (CPU %.2f s)", o->path, persons, bytes >> 20,
		     candidates, w, cpu);
	return COLINK_OK;
}
