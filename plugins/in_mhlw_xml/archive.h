/*
 * archive.h -- access to one MHLW submission archive (特定健診 XML set),
 * either a .zip (libzip) or an unpacked folder, with the safety checks an
 * untrusted archive needs.
 *
 * Layout (jp-health-data.md §1.2): a root holding ix08_V08.xml, DATA/,
 * CLAIMS/ and XSD/.  In a zip the root is the top level or one single top
 * folder (whatever its name); for a folder path the root is that folder or
 * its only sub-folder holding ix08_V08.xml.
 *
 * Entry names are '/'-separated paths relative to the root ("DATA/h1.xml").
 * No meaning is derived from them beyond the folder they are in.
 *
 * Safety: zip entries with absolute paths or ".." components are refused;
 * an entry larger than `max_entry_bytes`, or (zip) whose uncompressed size
 * exceeds `max_ratio` times its compressed size, is refused both from the
 * sizes the archive declares and while reading (never more than
 * max_entry_bytes + 1 bytes are read).  Folder entries must be regular
 * files (symbolic links are not followed).
 *
 * Memory: the archive keeps the list of entry names (small); entry bytes
 * are read one at a time into a buffer the caller frees.
 */
#ifndef IN_MHLW_XML_ARCHIVE_H
#define IN_MHLW_XML_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "colink/plugin.h"

struct mhlw_archive;

struct mhlw_limits {
	uint64_t max_entry_bytes; /* refuse entries larger than this (>= 1) */
	uint64_t max_ratio;       /* refuse zip entries expanding more (>= 1) */
};

/* Room for a one-line refusal reason from mhlw_archive_read(). */
#define MHLW_WHY_MAX 200

/* Format a one-line reason into why[MHLW_WHY_MAX] (truncated to fit). */
void mhlw_why(char *why, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Length (1-4) of the valid UTF-8 sequence at s[0..len), 0 if invalid
 * (overlong forms, surrogates and code points above U+10FFFF are). */
size_t mhlw_utf8_seq(const unsigned char *s, size_t len);

/* 1 when s[0..len) is valid UTF-8. */
int mhlw_utf8_valid(const char *s, size_t len);

/*
 * Open `path` (a .zip file or a folder).  `host` (memory, logging) and
 * `hc` stay borrowed until close.  Fails with COLINK_EIO (unreadable),
 * COLINK_EFORMAT (not a zip/folder, no or several ix08_V08.xml) and sets
 * *err.  On success the caller owns *out (close with mhlw_archive_close).
 */
int mhlw_archive_open(struct mhlw_archive **out, const struct colink_host *host,
		      struct colink_host_ctx *hc, const char *path,
		      const struct mhlw_limits *lim, struct colink_error *err);
/* Close and free; also removes any temporary XSD copy.  Accepts NULL. */
void mhlw_archive_close(struct mhlw_archive *a);

/*
 * The files directly in DATA/ and CLAIMS/ (plus, in a zip, any entry
 * under them with an unsafe path), sorted by name (byte order).  Names
 * are valid UTF-8 (a folder entry's invalid bytes show as '?') and
 * borrowed until close.  `unsafe` is 1 for a zip entry whose path was
 * refused (it is listed so that the caller can reject it).
 */
size_t mhlw_archive_nentries(const struct mhlw_archive *a);
const char *mhlw_archive_entry_name(const struct mhlw_archive *a, size_t i);
int mhlw_archive_entry_unsafe(const struct mhlw_archive *a, size_t i);

/*
 * Read entry `i` whole.  On success *buf (NUL-terminated, host->malloc,
 * caller frees with host->free) holds *len bytes.  A refused entry (too
 * large, too compressed, unsafe path, not a regular file) returns
 * COLINK_EPERM and a read failure COLINK_EIO, both with a one-line reason
 * in `why` (MHLW_WHY_MAX bytes); COLINK_ENOMEM on allocation failure.
 */
int mhlw_archive_read(struct mhlw_archive *a, size_t i, char **buf,
		      size_t *len, char why[MHLW_WHY_MAX]);

/* Read ix08_V08.xml the same way (same limits, same return codes). */
int mhlw_archive_read_index(struct mhlw_archive *a, char **buf, size_t *len,
			    char why[MHLW_WHY_MAX]);

/*
 * A file-system path to the archive's XSD/ folder: the folder itself for
 * an unpacked archive, a private temporary copy (removed on close) for a
 * zip.  Borrowed until close.  COLINK_ENOTFOUND when the archive has no
 * XSD/ folder; COLINK_EIO / COLINK_EPERM / COLINK_ENOMEM with *err set.
 */
int mhlw_archive_xsd_dir(struct mhlw_archive *a, const char **dir,
			 struct colink_error *err);

#endif
