/* identity_int.h -- engine-internal parts of the identity module, shared by
 * keyfile.c, pseudonym.c and signing.c only.  Never exposed to plugins. */
#ifndef COLINK_IDENTITY_INT_H
#define COLINK_IDENTITY_INT_H

#include "identity/identity.h"

/* The 32 key bytes in secure memory; borrowed, valid until colink_key_free. */
const unsigned char *colink_key_bytes_int(const struct colink_key *k);

/*
 * Private key files, shared by keyfile.c and signing.c (the agreement
 * signing keys follow the pseudonym key's file rules):
 * create: exclusively (O_EXCL|O_NOFOLLOW), exactly mode 0600, fsynced; a
 * partial file is removed.  open: a regular file (no symbolic link) that
 * group and others cannot read, write or execute.  read: at most cap
 * bytes, 0 or -1 with errno.  Messages name the file, never its content.
 */
int colink_keyfile_create_int(const char *path, const char *text, size_t n,
			      struct colink_error *err);
int colink_keyfile_open_int(const char *path, int *fdout, struct colink_error *err);
int colink_keyfile_read_int(int fd, char *buf, size_t cap, size_t *n);

#endif
