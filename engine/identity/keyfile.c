/*
 * keyfile.c -- the master key: libgcrypt set-up, key generation, loading
 * and the key id (see identity.h and docs/pseudonyms.md).
 *
 * The 32 key bytes live only in libgcrypt secure memory (locked, wiped on
 * release).  The key file text is read into secure memory too, so the hex
 * never sits in ordinary heap.  No message ever contains key material;
 * messages name the file only.
 */
#include "identity/identity.h"
#include "identity/identity_int.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/text.h"

#define KEY_LEN 32
#define KEY_MAGIC "colink-key-v1 "
#define KEY_MAGIC_LEN (sizeof(KEY_MAGIC) - 1)
#define KEY_TEXT_LEN (KEY_MAGIC_LEN + 2 * KEY_LEN) /* without "\n" */
#define KEY_ID_PREFIX "colink-key-id-v1"
#define SECMEM_BYTES 65536

struct colink_key {
	unsigned char *bytes; /* KEY_LEN bytes of gcry_malloc_secure memory */
	char id[17];          /* first 16 hex of SHA-256(prefix || key) */
};

/* ---------------------------------------------------------------- */
/* libgcrypt                                                          */
/* ---------------------------------------------------------------- */

/*
 * Idempotent.  Call it from the main thread before any other thread uses
 * libgcrypt: libgcrypt's own initialisation is not meant to race.
 */
int colink_crypto_init(struct colink_error *err)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return COLINK_OK;
	/* Also the mandatory first call: it initialises the library. */
	if (!gcry_check_version(GCRYPT_VERSION))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "libgcrypt %s is older than the %s colink was built with",
				  gcry_check_version(NULL), GCRYPT_VERSION);
	/* Without CAP_IPC_LOCK and enough RLIMIT_MEMLOCK the pool cannot be
	 * mlock'ed: libgcrypt would warn on every run and INIT_SECMEM returns
	 * an error, yet the pool works (still separate and wiped on release).
	 * So the result is ignored; a pool that truly could not be set up
	 * shows as gcry_malloc_secure() returning NULL, reported as ENOMEM
	 * where the key is allocated. */
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	(void)gcry_control(GCRYCTL_INIT_SECMEM, SECMEM_BYTES, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return COLINK_OK;
}

void colink_wipe_free(void *p, size_t n)
{
	if (!p)
		return;
	explicit_bzero(p, n);
	colink_free(p);
}

/* Wipe and release gcry_malloc_secure memory (gcry_free wipes secure
 * memory too; the explicit wipe does not rely on that). */
static void secure_free(void *p, size_t n)
{
	if (!p)
		return;
	explicit_bzero(p, n);
	gcry_free(p);
}

/* ---------------------------------------------------------------- */
/* Key objects                                                        */
/* ---------------------------------------------------------------- */

void colink_key_free(struct colink_key *k)
{
	if (!k)
		return;
	secure_free(k->bytes, KEY_LEN);
	colink_wipe_free(k, sizeof(*k));
}

const char *colink_key_id(const struct colink_key *k)
{
	return k ? k->id : NULL;
}

/* The id is hashed in secure memory: the context holds key bytes. */
static int compute_id(struct colink_key *k, struct colink_error *err)
{
	gcry_md_hd_t md;
	const unsigned char *d;

	if (gcry_md_open(&md, GCRY_MD_SHA256, GCRY_MD_FLAG_SECURE))
		return COLINK_ERR(err, COLINK_ENOMEM,
				  "libgcrypt: cannot open SHA-256 for the key id");
	gcry_md_write(md, KEY_ID_PREFIX, sizeof(KEY_ID_PREFIX) - 1);
	gcry_md_write(md, k->bytes, KEY_LEN);
	d = gcry_md_read(md, GCRY_MD_SHA256);
	colink_hex(d, 8, k->id);
	gcry_md_close(md);
	return COLINK_OK;
}

int colink_key_from_bytes(struct colink_key **out, const unsigned char *raw32,
			  struct colink_error *err)
{
	struct colink_key *k;
	int rc;

	*out = NULL;
	rc = colink_crypto_init(err);
	if (rc)
		return rc;
	k = colink_calloc(1, sizeof(*k));
	if (!k)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory for the key");
	k->bytes = gcry_malloc_secure(KEY_LEN);
	if (!k->bytes) {
		colink_key_free(k);
		return COLINK_ERR(err, COLINK_ENOMEM,
				  "libgcrypt secure memory exhausted for the key");
	}
	memcpy(k->bytes, raw32, KEY_LEN);
	rc = compute_id(k, err);
	if (rc) {
		colink_key_free(k);
		return rc;
	}
	*out = k;
	return COLINK_OK;
}

/*
 * Engine-internal accessor for pseudonym.c (declared in identity_int.h,
 * not identity.h, so that nothing else reaches the raw bytes).
 */
const unsigned char *colink_key_bytes_int(const struct colink_key *k)
{
	return k->bytes;
}

/* ---------------------------------------------------------------- */
/* Generation                                                         */
/* ---------------------------------------------------------------- */

static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Create `path` exclusively (never follow or replace anything there) and
 * write the key text; on failure the partial file is removed. */
int colink_keyfile_create_int(const char *path, const char *text, size_t n,
			       struct colink_error *err)
{
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  S_IRUSR | S_IWUSR);
	if (fd < 0) {
		if (errno == EEXIST)
			return COLINK_ERR(err, COLINK_EPERM,
					  "%s: already exists; refusing to overwrite a key file",
					  path);
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot create key file: %s",
				  path, strerror(errno));
	}
	/* open() applied the umask; set exactly 0600 whatever it was. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) || write_all(fd, text, n) ||
	    fsync(fd)) {
		e = errno;
		close(fd);
		unlink(path);
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot write key file: %s",
				  path, strerror(e));
	}
	if (close(fd)) {
		e = errno;
		unlink(path);
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot write key file: %s",
				  path, strerror(e));
	}
	return COLINK_OK;
}

int colink_key_generate(const char *path, struct colink_error *err)
{
	unsigned char *raw = NULL;
	char *text = NULL;
	int rc;

	rc = colink_crypto_init(err);
	if (rc)
		return rc;
	raw = gcry_malloc_secure(KEY_LEN);
	text = gcry_malloc_secure(KEY_TEXT_LEN + 2);
	if (!raw || !text) {
		rc = COLINK_ERR(err, COLINK_ENOMEM,
				"libgcrypt secure memory exhausted for the new key");
		goto out;
	}
	gcry_randomize(raw, KEY_LEN, GCRY_VERY_STRONG_RANDOM);
	memcpy(text, KEY_MAGIC, KEY_MAGIC_LEN);
	colink_hex(raw, KEY_LEN, text + KEY_MAGIC_LEN);
	text[KEY_TEXT_LEN] = '\n';
	text[KEY_TEXT_LEN + 1] = '\0';
	rc = colink_keyfile_create_int(path, text, KEY_TEXT_LEN + 1, err);
out:
	secure_free(raw, KEY_LEN);
	secure_free(text, KEY_TEXT_LEN + 2);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Loading                                                            */
/* ---------------------------------------------------------------- */

/* Exactly KEY_MAGIC + 64 lowercase hex + an optional single "\n" (upper
 * case is refused: the format is lower case only). */
static int parse_key_text(const char *text, size_t n, unsigned char *raw)
{
	if (n == KEY_TEXT_LEN + 1 && text[KEY_TEXT_LEN] == '\n')
		n--;
	if (n != KEY_TEXT_LEN || memcmp(text, KEY_MAGIC, KEY_MAGIC_LEN))
		return -1;
	return colink_unhex(text + KEY_MAGIC_LEN, KEY_LEN, raw);
}

/*
 * The file must be a regular file (a symbolic link is refused: lstat, then
 * O_NOFOLLOW, then fstat must show the same inode) that group and others
 * can neither read, write nor execute.
 */
int colink_keyfile_open_int(const char *path, int *fdout, struct colink_error *err)
{
	struct stat ls, fs;
	int fd;

	if (lstat(path, &ls)) {
		if (errno == ENOENT)
			return COLINK_ERR(err, COLINK_ENOTFOUND,
					  "%s: key file not found (create one with 'colink key new %s')",
					  path, path);
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot stat key file: %s",
				  path, strerror(errno));
	}
	if (!S_ISREG(ls.st_mode))
		return COLINK_ERR(err, COLINK_EPERM,
				  "%s: key file is not a regular file (symbolic links are refused)",
				  path);
	if (ls.st_mode & 077)
		return COLINK_ERR(err, COLINK_EPERM,
				  "%s: key file is readable or writable by group/others (mode %04o); run chmod 600 %s",
				  path, (unsigned)(ls.st_mode & 07777), path);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open key file: %s",
				  path, strerror(errno));
	if (fstat(fd, &fs) || fs.st_dev != ls.st_dev || fs.st_ino != ls.st_ino ||
	    !S_ISREG(fs.st_mode) || (fs.st_mode & 077)) {
		close(fd);
		return COLINK_ERR(err, COLINK_EPERM,
				  "%s: key file changed while it was being opened", path);
	}
	*fdout = fd;
	return COLINK_OK;
}

/* Read at most cap bytes; *n gets the count.  0 or -1 (errno set). */
int colink_keyfile_read_int(int fd, char *buf, size_t cap, size_t *n)
{
	*n = 0;
	while (*n < cap) {
		ssize_t r = read(fd, buf + *n, cap - *n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		*n += (size_t)r;
	}
	return 0;
}

int colink_key_load(struct colink_key **out, const char *path,
		    struct colink_error *err)
{
	/* One byte more than the longest valid text, to see "too long". */
	const size_t cap = KEY_TEXT_LEN + 2;
	char *text = NULL;
	unsigned char *raw = NULL;
	size_t n;
	int fd = -1, rc;

	*out = NULL;
	rc = colink_crypto_init(err);
	if (rc)
		return rc;
	rc = colink_keyfile_open_int(path, &fd, err);
	if (rc)
		return rc;
	text = gcry_malloc_secure(cap);
	raw = gcry_malloc_secure(KEY_LEN);
	if (!text || !raw) {
		rc = COLINK_ERR(err, COLINK_ENOMEM,
				"libgcrypt secure memory exhausted reading the key");
		goto out;
	}
	if (colink_keyfile_read_int(fd, text, cap, &n)) {
		rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot read key file: %s",
				path, strerror(errno));
		goto out;
	}
	if (parse_key_text(text, n, raw)) {
		rc = COLINK_ERR(err, COLINK_EINVAL,
				"%s: not a colink key file (expected 'colink-key-v1' and 64 hex digits)",
				path);
		goto out;
	}
	rc = colink_key_from_bytes(out, raw, err);
out:
	if (fd >= 0)
		close(fd);
	secure_free(text, cap);
	secure_free(raw, KEY_LEN);
	return rc;
}
