/*
 * dry.c -- out_sqlite's side of `colink run --dry-run` (ABI 2.3, #18).
 *
 * A dry run does everything a run does (schema checks, ledger row, every
 * record with its duplicate and replacement checks, inputs loaded before,
 * linkage) and is then rolled back.  The warehouse file itself is never
 * opened for writing: the run works on a private copy, so that the file
 * stays byte for byte as it was whatever the run does (a migration of an
 * older warehouse, SQLite's journal and page-size pragmas, a checkpoint),
 * no lock is held on it, and a missing warehouse is not created.
 *
 * The copy is an SQLite temporary database (an empty file name): SQLite
 * creates it mode 0600 in its temporary folder, unlinked at once, and it
 * disappears when the connection closes, also when the process is killed.
 * It holds pseudonymized rows only (the warehouse's own content); it needs
 * as much free temporary space as the warehouse, which is said in the
 * docs.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "colink/plugin.h"
#include "out_sqlite_int.h"

/*
 * Copy the existing warehouse at o->path into the open private database.
 * The connection that reads it is opened read-write (never created) when
 * the file allows, although it only reads: a WAL warehouse needs its -wal
 * and -shm files to be read, and only a read-write connection that closes
 * last removes them again, as a run does (a read-only one leaves both
 * behind).  Reading changes no byte of the file.
 */
static int copy_in(struct out_sqlite *o, struct colink_error *err)
{
	sqlite3 *src = NULL;
	sqlite3_backup *b;
	int s = sqlite3_open_v2(o->path, &src, SQLITE_OPEN_READWRITE, NULL);
	if (s != SQLITE_OK) { /* a read-only warehouse can be dry-run too */
		sqlite3_close_v2(src);
		src = NULL;
		s = sqlite3_open_v2(o->path, &src, SQLITE_OPEN_READONLY, NULL);
	}
	if (s == SQLITE_OK) {
		sqlite3_busy_timeout(src, o->busy_ms);
		b = sqlite3_backup_init(o->db, "main", src, "main");
		if (!b) {
			s = sqlite3_errcode(o->db);
		} else {
			s = sqlite3_backup_step(b, -1);
			if (s == SQLITE_DONE)
				s = SQLITE_OK;
			if (sqlite3_backup_finish(b) != SQLITE_OK && s == SQLITE_OK)
				s = sqlite3_errcode(o->db);
		}
	}
	if (s != SQLITE_OK) {
		int rc = s == SQLITE_BUSY || s == SQLITE_LOCKED
			? COLINK_ERR(err, COLINK_EBUSY, "%s: warehouse is locked by another run", o->path)
			: COLINK_ERR(err, COLINK_EIO, "%s: dry run: cannot read the warehouse: %s",
				     o->path, src ? sqlite3_errmsg(src) : sqlite3_errstr(s));
		sqlite3_close_v2(src);
		return rc;
	}
	sqlite3_close_v2(src);
	return COLINK_OK;
}

int osq_dry_open(struct out_sqlite *o, int *created, struct colink_error *err)
{
	struct stat st;
	int s;
	*created = 0;
	if (stat(o->path, &st)) {
		if (errno != ENOENT)
			return COLINK_ERR(err, COLINK_EIO, "%s: cannot read the warehouse: %s",
					  o->path, strerror(errno));
		*created = 1; /* a run would create it: start from an empty one */
	}
	s = sqlite3_open_v2("", &o->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (s != SQLITE_OK)
		return osq_db_err(o, s, "dry run: cannot open a private copy", err);
	return *created ? COLINK_OK : copy_in(o, err);
}
