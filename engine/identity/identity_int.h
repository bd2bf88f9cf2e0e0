/* identity_int.h -- engine-internal parts of the identity module, shared by
 * keyfile.c and pseudonym.c only.  Never exposed to plugins. */
#ifndef COLINK_IDENTITY_INT_H
#define COLINK_IDENTITY_INT_H

#include "identity/identity.h"

/* The 32 key bytes in secure memory; borrowed, valid until colink_key_free. */
const unsigned char *colink_key_bytes_int(const struct colink_key *k);

#endif
