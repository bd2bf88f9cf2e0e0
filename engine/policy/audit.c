/* audit.c -- the tamper-evident audit log (see audit.h). */
#include "policy/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/paths.h"
#include "base/text.h"
#include "base/util.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define HASH_KEY ",\"hash\":\""

/* ================================================================== */
/* Writing one entry                                                    */
/* ================================================================== */

static void jmember(FILE *f, const char *name, const char *v)
{
	fprintf(f, ",\"%s\":", name);
	colink_json_str(f, v);
}

static void jfiles(FILE *f, const char *name, size_t n, const struct colink_audit_file *v)
{
	size_t i;
	fprintf(f, ",\"%s\":[", name);
	for (i = 0; i < n; i++) {
		fputs(i ? ",{\"path\":" : "{\"path\":", f);
		colink_json_str(f, v[i].path);
		fputs(",\"sha256\":", f);
		colink_json_str(f, v[i].sha256);
		fputc('}', f);
	}
	fputc(']', f);
}

/* The canonical text of an entry: every member in one fixed order, no
 * "hash".  Caller frees *out. */
static int canonical(const struct colink_audit_entry *e, uint64_t seq, const char *time,
		     const char *prev, const char *user, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	size_t i;
	if (!f)
		return -1;
	fprintf(f, "{\"seq\":%" PRIu64, seq);
	jmember(f, "time", time);
	jmember(f, "prev", prev);
	jmember(f, "kind", e->kind);
	jmember(f, "status", e->status);
	jmember(f, "user", user);
	jmember(f, "job", e->job);
	jmember(f, "job_sha256", e->job_sha256);
	jmember(f, "run_id", e->run_id);
	jmember(f, "purpose", e->purpose);
	jmember(f, "recipient_party", e->recipient_party);
	jmember(f, "recipient_role", e->recipient_role);
	jmember(f, "agreement_id", e->agreement_id);
	jmember(f, "agreement_sha256", e->agreement_sha256);
	if (e->agreement_signing)
		jmember(f, "agreement_signing", e->agreement_signing);
	jmember(f, "key_id", e->key_id);
	jmember(f, "output", e->output);
	jmember(f, "message", e->message);
	jfiles(f, "mappings", e->nmappings, e->mappings);
	jfiles(f, "inputs", e->ninputs, e->inputs);
	fputs(",\"items\":[", f);
	for (i = 0; i < e->nitems; i++) {
		if (i)
			fputc(',', f);
		colink_json_str(f, e->items[i]);
	}
	fputs("],\"counts\":{", f);
	for (i = 0; i < e->ncounts; i++) {
		if (i)
			fputc(',', f);
		colink_json_str(f, e->counts[i].name);
		fprintf(f, ":%" PRIu64, e->counts[i].value);
	}
	fputs("}", f);
	return fclose(f) ? -1 : 0;
}

/* Parse "seq" and "hash" of an entry line (no newline).  0 on success. */
static int parse_entry(const char *line, size_t len, uint64_t *seq, char hash[65],
		       char prev[65], size_t *canon_len)
{
	const char *h, *p;
	char *end;
	if (len < 10 + sizeof(HASH_KEY) + 66 || strncmp(line, "{\"seq\":", 7))
		return -1;
	errno = 0;
	*seq = strtoull(line + 7, &end, 10);
	if (errno || end == line + 7 || *end != ',')
		return -1;
	h = line + len - (sizeof(HASH_KEY) - 1) - 66;
	if (strncmp(h, HASH_KEY, sizeof(HASH_KEY) - 1) || line[len - 1] != '}' || line[len - 2] != '"')
		return -1;
	memcpy(hash, h + sizeof(HASH_KEY) - 1, 64);
	hash[64] = '\0';
	*canon_len = (size_t)(h - line);
	p = strstr(line, ",\"prev\":\"");
	if (!p || p > h || (size_t)(h - p) < 9 + 64)
		return -1;
	memcpy(prev, p + 9, 64);
	prev[64] = '\0';
	return 0;
}

/* SHA-256 of the canonical text (the line up to the hash member) + "}". */
static void entry_hash(const char *line, size_t canon_len, char out[65])
{
	char *buf = colink_malloc(canon_len + 1);
	if (!buf) {
		memset(out, 'x', 64);
		out[64] = '\0';
		return;
	}
	memcpy(buf, line, canon_len);
	buf[canon_len] = '}';
	colink_sha256_mem(buf, canon_len + 1, out);
	colink_free(buf);
}

/* The last entry's seq and hash (0 and zeros for an empty log). */
static int last_entry(int fd, const char *log, uint64_t *seq, char hash[65],
		      struct colink_error *err)
{
	struct stat st;
	char buf[4096], prev[65], *line = NULL;
	off_t end, start;
	size_t canon;
	int rc = COLINK_OK;
	*seq = 0;
	memcpy(hash, ZERO_HASH, 65);
	if (fstat(fd, &st))
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot stat: %s", log, strerror(errno));
	if (st.st_size == 0)
		return COLINK_OK;
	end = st.st_size - 1; /* the final newline */
	if (pread(fd, buf, 1, end) != 1 || buf[0] != '\n')
		return COLINK_ERR(err, COLINK_EIO, "%s: the last line is truncated; run colink audit verify", log);
	for (start = end; start > 0;) {
		off_t from = start > (off_t)sizeof(buf) ? start - (off_t)sizeof(buf) : 0;
		ssize_t got = pread(fd, buf, (size_t)(start - from), from), k;
		if (got != start - from)
			return COLINK_ERR(err, COLINK_EIO, "%s: read error", log);
		for (k = got - 1; k >= 0 && buf[k] != '\n'; k--)
			;
		if (k >= 0) {
			start = from + k + 1;
			break;
		}
		start = from;
	}
	line = colink_malloc((size_t)(end - start) + 1);
	if (!line)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (pread(fd, line, (size_t)(end - start), start) != end - start)
		rc = COLINK_ERR(err, COLINK_EIO, "%s: read error", log);
	else if (line[end - start] = '\0',
		 parse_entry(line, (size_t)(end - start), seq, hash, prev, &canon))
		rc = COLINK_ERR(err, COLINK_EIO, "%s: the last line is not an audit entry; run colink audit verify", log);
	colink_free(line);
	return rc;
}

struct colink_audit_pending {
	int fd;           /* open, locked */
	char *line;       /* the whole line with its hash and newline */
	size_t len;
	char *log;
	uint64_t seq;     /* seq and hash of the prepared line */
	char hash[65];
};

void colink_audit_cancel(struct colink_audit_pending *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd); /* releases the lock */
	colink_free(p->line);
	colink_free(p->log);
	colink_free(p);
}

/*
 * p->line = `text` (the canonical members, without the closing brace)
 * sealed with its hash: the SHA-256 of (text + "}"), appended as the last
 * member.  Replaces any earlier p->line.
 */
static int seal_line(struct colink_audit_pending *p, const char *text, size_t len,
		     uint64_t seq, struct colink_error *err)
{
	size_t tail = sizeof(HASH_KEY) + 64 + 4;
	char hash[65];
	colink_free(p->line);
	if (!(p->line = colink_malloc(len + tail)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory writing the audit entry");
	memcpy(p->line, text, len);
	p->line[len] = '}';
	colink_sha256_mem(p->line, len + 1, hash);
	p->len = len + (size_t)snprintf(p->line + len, tail, "%s%s\"}\n", HASH_KEY, hash);
	p->seq = seq;
	memcpy(p->hash, hash, 65);
	return COLINK_OK;
}

/* The line: canonical text, then the hash of (canonical text + "}"). */
static int format_line(struct colink_audit_pending *p, const struct colink_audit_entry *e,
		       uint64_t seq, const char *prev, struct colink_error *err)
{
	char user[128], now[32], *text = NULL;
	size_t len = 0;
	int rc;
	if (e->user)
		snprintf(user, sizeof(user), "%s", e->user);
	else
		colink_os_user(user, sizeof(user));
	colink_now_iso(now);
	if (canonical(e, seq, now, prev, user, &text, &len))
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory writing the audit entry");
	else
		rc = seal_line(p, text, len, seq, err);
	free(text); /* open_memstream uses the C allocator */
	return rc;
}

/* flock(LOCK_EX), giving up after wait_ms (< 0: never); -1 with errno
 * EWOULDBLOCK when the time ran out. */
static int lock_within(int fd, int wait_ms)
{
	if (wait_ms < 0)
		return flock(fd, LOCK_EX);
	for (;;) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK || wait_ms <= 0)
			return -1;
		usleep(10 * 1000);
		wait_ms -= 10;
	}
}

int colink_audit_prepare(struct colink_audit_pending **out, const char *log,
			 const struct colink_audit_entry *e, struct colink_error *err)
{
	return colink_audit_prepare_within(out, log, e, -1, err);
}

int colink_audit_prepare_within(struct colink_audit_pending **out, const char *log,
				const struct colink_audit_entry *e, int wait_ms,
				struct colink_error *err)
{
	struct colink_audit_pending *p = colink_calloc(1, sizeof(*p));
	char prev[65];
	uint64_t seq;
	int rc;
	*out = NULL;
	if (!p || !(p->log = colink_strdup(log))) {
		colink_free(p);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory writing the audit entry");
	}
	/* the log's folder is created (0700) when missing (#18) */
	p->fd = colink_mkdir_parents(log) ? -1 : open(log, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (p->fd < 0)
		rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot open the audit log: %s", log, strerror(errno));
	else if (lock_within(p->fd, wait_ms))
		rc = errno == EWOULDBLOCK
			     ? COLINK_ERR(err, COLINK_EBUSY, "%s: still locked by another run after %d ms: "
					  "no entry written", log, wait_ms)
			     : COLINK_ERR(err, COLINK_EIO, "%s: cannot lock the audit log: %s", log,
					  strerror(errno));
	else if ((rc = last_entry(p->fd, log, &seq, prev, err)) == COLINK_OK)
		rc = format_line(p, e, seq + 1, prev, err);
	if (rc) {
		colink_audit_cancel(p);
		return rc;
	}
	*out = p;
	return COLINK_OK;
}

int colink_audit_finish(struct colink_audit_pending *p, struct colink_error *err)
{
	int rc = COLINK_OK;
	if (write(p->fd, p->line, p->len) != (ssize_t)p->len || fsync(p->fd))
		rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot write the audit entry: %s", p->log,
				strerror(errno));
	colink_audit_cancel(p);
	return rc;
}

int colink_audit_chain(struct colink_audit_pending *p, const struct colink_audit_entry *e,
		       struct colink_error *err)
{
	uint64_t seq = p->seq;
	char prev[65];
	memcpy(prev, p->hash, 65);
	if (write(p->fd, p->line, p->len) != (ssize_t)p->len || fsync(p->fd))
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot write the audit entry: %s", p->log,
				  strerror(errno));
	colink_free(p->line);
	p->line = NULL;
	return format_line(p, e, seq + 1, prev, err);
}

int colink_audit_append(const char *log, const struct colink_audit_entry *e,
			struct colink_error *err)
{
	struct colink_audit_pending *p;
	int rc = colink_audit_prepare(&p, log, e, err);
	return rc ? rc : colink_audit_finish(p, err);
}

/* ================================================================== */
/* Completing runs killed after their COMMIT (#24)                      */
/* ================================================================== */

void colink_audit_member(const char *line, const char *name, char *out, size_t n)
{
	char key[64];
	const char *p;
	size_t k = 0;
	out[0] = '\0';
	snprintf(key, sizeof(key), ",\"%s\":", name);
	if (!(p = strstr(line, key))) {
		key[0] = '{'; /* the first member of an object */
		if (strncmp(line, key, strlen(key)))
			return;
		p = line;
	}
	p += strlen(key);
	if (*p != '"') { /* a number */
		while (*p >= '0' && *p <= '9' && k + 1 < n)
			out[k++] = *p++;
		out[k] = '\0';
		return;
	}
	for (p++; *p && *p != '"' && k + 1 < n; p++) {
		if (*p == '\\' && p[1])
			p++;
		out[k++] = *p;
	}
	out[k] = '\0';
}

/* A run whose entries so far are "committing" intents only. */
struct dangling {
	char run_id[72];
	char *line; /* its last intent, as stored (no newline) */
};

/* `text` with the first `from` replaced by `to` (caller frees), or NULL. */
static char *replace_once(const char *text, size_t len, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t a, nf = strlen(from), nt = strlen(to);
	char *out;
	if (!at || (size_t)(at - text) + nf > len)
		return NULL;
	a = (size_t)(at - text);
	if (!(out = colink_malloc(len - nf + nt + 1)))
		return NULL;
	memcpy(out, text, a);
	memcpy(out + a, to, nt);
	memcpy(out + a + nt, at + nf, len - a - nf);
	out[len - nf + nt] = '\0';
	return out;
}

/*
 * The completion entry of a dangling intent: its members from "kind" on,
 * as stored (the writer's fixed order), with status "ok", the recovery
 * message, and "recovered_by" last; chained as entry seq after prev.
 */
static int completion_line(struct colink_audit_pending *p, const char *intent, uint64_t seq,
			   const char *prev, const char *by_run, struct colink_error *err)
{
	char hash[65], iprev[65], now[32], msg[160], *a = NULL, *b = NULL, *text = NULL;
	const char *body;
	uint64_t iseq;
	size_t canon, len = 0;
	FILE *f;
	int rc = COLINK_OK;
	if (parse_entry(intent, strlen(intent), &iseq, hash, iprev, &canon) ||
	    !(body = strstr(intent, ",\"kind\":")) || (size_t)(body - intent) > canon)
		return COLINK_ERR(err, COLINK_EIO, "%s: an intent entry is damaged; run colink audit verify",
				  p->log);
	snprintf(msg, sizeof(msg), ",\"message\":\"completed by run %s: committed in the warehouse, "
		 "killed before its completion entry\"", by_run);
	a = replace_once(body, canon - (size_t)(body - intent), ",\"status\":\"committing\"",
			 ",\"status\":\"ok\"");
	b = a ? replace_once(a, strlen(a), ",\"message\":\"\"", msg) : NULL;
	colink_now_iso(now);
	if (a && (f = open_memstream(&text, &len))) {
		fprintf(f, "{\"seq\":%" PRIu64, seq);
		jmember(f, "time", now);
		jmember(f, "prev", prev);
		fputs(b ? b : a, f);
		jmember(f, "recovered_by", by_run);
		if (fclose(f))
			rc = -1;
	} else {
		rc = -1;
	}
	if (rc) {
		colink_free(p->line);
		p->line = NULL;
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory writing the audit entry");
	} else {
		rc = seal_line(p, text, len, seq, err);
	}
	free(text);
	colink_free(a);
	colink_free(b);
	return rc;
}

/* The runs of the log (read through the locked descriptor) whose only
 * entries are intents, in the order of their intents. */
static int find_dangling(int fd, const char *log, struct dangling **out, size_t *n,
			 struct colink_error *err)
{
	FILE *f;
	char *line = NULL, id[72], status[32];
	size_t cap = 0, i, have = 0;
	ssize_t len;
	int dfd = dup(fd), rc = COLINK_OK;
	*out = NULL;
	*n = 0;
	if (dfd < 0 || !(f = fdopen(dfd, "re"))) {
		if (dfd >= 0)
			close(dfd);
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot read the audit log: %s", log, strerror(errno));
	}
	rewind(f);
	while (rc == COLINK_OK && (len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		colink_audit_member(line, "run_id", id, sizeof(id));
		colink_audit_member(line, "status", status, sizeof(status));
		if (!id[0])
			continue;
		for (i = 0; i < *n && strcmp((*out)[i].run_id, id); i++)
			;
		if (i < *n && strcmp(status, "committing")) { /* the run has another entry */
			colink_free((*out)[i].line);
			(*out)[i] = (*out)[--*n];
		} else if (!strcmp(status, "committing")) {
			if (i == *n && *n == have) {
				struct dangling *d = colink_realloc(*out, (have * 2 + 4) * sizeof(*d));
				if (!d) {
					rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
					break;
				}
				*out = d;
				have = have * 2 + 4;
			}
			if (i == *n)
				(*out)[(*n)++].line = NULL;
			snprintf((*out)[i].run_id, sizeof((*out)[i].run_id), "%s", id);
			colink_free((*out)[i].line);
			if (!((*out)[i].line = colink_strdup(line)))
				rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
	}
	free(line);
	fclose(f);
	return rc;
}

int colink_audit_complete(const char *log, const char *by_run, colink_audit_committed_fn committed,
			  void *ud, size_t *completed, struct colink_error *err)
{
	struct colink_audit_pending p = {.fd = -1, .log = (char *)log};
	struct dangling *d = NULL;
	size_t n = 0, i;
	int rc = COLINK_OK;
	*completed = 0;
	/* A log that is absent, cannot be opened for appending or ends in a
	 * damaged line has nothing this call may complete; the caller's own
	 * entry (colink_audit_prepare) reports why it cannot be written. */
	p.fd = open(log, O_RDWR | O_APPEND | O_CLOEXEC);
	if (p.fd < 0)
		return COLINK_OK;
	/* Not waited for: a run that holds the log is between its intent and
	 * its completion, i.e. inside its commit, which may take long or stall;
	 * the waiting belongs to the warehouse's lock and its timeout. */
	if (lock_within(p.fd, 0))
		rc = errno == EWOULDBLOCK
			     ? COLINK_ERR(err, COLINK_EBUSY, "%s: locked by a run that is committing; "
					  "earlier runs are checked by a later run", log)
			     : COLINK_ERR(err, COLINK_EIO, "%s: cannot lock the audit log: %s", log,
					  strerror(errno));
	else if (last_entry(p.fd, log, &p.seq, p.hash, &(struct colink_error){0}) == COLINK_OK)
		rc = find_dangling(p.fd, log, &d, &n, err);
	for (i = 0; rc == COLINK_OK && i < n; i++) {
		int yes = committed(ud, d[i].run_id, err);
		if (yes < 0)
			rc = yes;
		else if (yes && (rc = completion_line(&p, d[i].line, p.seq + 1, p.hash, by_run, err)) == COLINK_OK) {
			if (write(p.fd, p.line, p.len) != (ssize_t)p.len || fsync(p.fd))
				rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot write the audit entry: %s", log,
						strerror(errno));
			else
				++*completed;
		}
	}
	for (i = 0; i < n; i++)
		colink_free(d[i].line);
	colink_free(d);
	colink_free(p.line);
	close(p.fd); /* releases the lock */
	return rc;
}

/* ================================================================== */
/* Reading and verifying                                                */
/* ================================================================== */

int colink_audit_read(const char *log, colink_audit_entry_fn fn, void *ud,
		      struct colink_error *err)
{
	FILE *f = fopen(log, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t no = 0;
	if (!f)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot open: %s", log, strerror(errno));
	while ((n = getline(&line, &cap, f)) > 0) {
		no++;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (fn(ud, no, line))
			break;
	}
	free(line);
	fclose(f);
	return COLINK_OK;
}

struct verify_state {
	struct colink_audit_verdict *v;
	uint64_t want;         /* the seq the next line must have */
	char prev[65];         /* hash of the last good entry */
	uint64_t missing;      /* seq looked for after a gap, 0 when none */
	uint64_t missing_line;
	uint64_t found_line;
};

static void verdict(struct verify_state *s, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void verdict(struct verify_state *s, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	int k;
	s->v->bad_line = line;
	k = snprintf(s->v->problem, sizeof(s->v->problem), "line %" PRIu64 ": ", line);
	va_start(ap, fmt);
	vsnprintf(s->v->problem + k, sizeof(s->v->problem) - (size_t)k, fmt, ap);
	va_end(ap);
}

/* One line of the log; returns 1 to stop reading. */
static int verify_line(struct verify_state *s, uint64_t line, const char *text, size_t len, int complete)
{
	uint64_t seq;
	char hash[65], prev[65], mine[65];
	size_t canon;
	if (s->missing) { /* after a gap: is the missing entry further down? */
		if (!parse_entry(text, len, &seq, hash, prev, &canon) && seq == s->missing)
			s->found_line = line;
		return s->found_line != 0;
	}
	if (!complete) {
		verdict(s, line, "truncated last line (entry %" PRIu64 " incomplete)", s->want);
		return 1;
	}
	if (parse_entry(text, len, &seq, hash, prev, &canon)) {
		verdict(s, line, "not an audit entry (damaged line)");
		return 1;
	}
	entry_hash(text, canon, mine);
	if (strcmp(mine, hash)) {
		verdict(s, line, "hash mismatch: entry %" PRIu64 " was edited", seq);
		return 1;
	}
	if (seq != s->want) {
		s->missing = s->want;
		s->missing_line = line;
		return 0;
	}
	if (strcmp(prev, s->prev)) {
		verdict(s, line, "entry %" PRIu64 " does not chain to entry %" PRIu64
			" (prev hash differs: an earlier entry was replaced)", seq, seq - 1);
		return 1;
	}
	memcpy(s->prev, hash, 65);
	memcpy(s->v->head, hash, 65);
	s->want++;
	s->v->entries++;
	return 0;
}

int colink_audit_verify(const char *log, struct colink_audit_verdict *v,
			struct colink_error *err)
{
	struct verify_state s;
	FILE *f = fopen(log, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t no = 0;
	memset(v, 0, sizeof(*v));
	if (!f)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot open: %s", log, strerror(errno));
	memset(&s, 0, sizeof(s));
	s.v = v;
	s.want = 1;
	memcpy(s.prev, ZERO_HASH, 65);
	memcpy(v->head, ZERO_HASH, 65);
	while ((n = getline(&line, &cap, f)) > 0) {
		int complete = line[n - 1] == '\n';
		if (complete)
			line[--n] = '\0';
		if (verify_line(&s, ++no, line, (size_t)n, complete))
			break;
	}
	free(line);
	fclose(f);
	if (s.missing) {
		if (s.found_line)
			verdict(&s, s.missing_line, "entry %" PRIu64 " out of order (it is at line %" PRIu64 ")",
				s.missing, s.found_line);
		else
			verdict(&s, s.missing_line, "sequence gap: entry %" PRIu64 " missing", s.missing);
	}
	return v->bad_line ? COLINK_EPOLICY : COLINK_OK;
}
