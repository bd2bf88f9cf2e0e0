/*
 * wh_pg_allow.c -- the white paper's 傷病手当金 figures and medical cost by
 * disease group (issue #21 parts 5 and 6) on PostgreSQL: wh_sqlite_allow.c's
 * two readers in PostgreSQL's dialect, so that `colink report whitepaper`
 * writes the bytes it writes on SQLite.
 *
 * Allowance: over the work set of wh_pg_wp.c (wp_person: the employees in
 * service, with their band), a payment reaching an employee through the
 * link (wp_person.aid = person.person_id).  Claims: every association
 * person with a claim of the year, aged (whp_age_map: the ages computed in
 * C, joined back as arrays) and sexed like whp_claims_by_band.
 *
 * Differences from SQLite as in wh_pg_wp.c: text compared and ordered
 * COLLATE "C" (SQLite's BINARY; upper() of a "C" string folds ASCII only,
 * as SQLite's); total() is coalesce(sum(float8), 0).  The disease group
 * ranges are a VALUES list of the statement, not a temporary table: the
 * session is read only and they serve this one statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "warehouse/wh_pg_int.h"

int whp_wp_allowance(struct colink_wh *wh, int fy, int *present, colink_wh_allowance_cb cb, void *ud,
		     struct colink_error *err)
{
	char from[32], to[32];
	const char *v[2] = { from, to };
	PGresult *res;
	int i;
	*present = whp_table_exists(wh, "allowance");
	if (!*present)
		return COLINK_OK;
	/* no payment of any year: the association loads none (nothing to show,
	 * not a year of zeros) */
	if (!(res = whp_wp_query(wh, "SELECT EXISTS (SELECT 1 FROM allowance)", 0, NULL,
				 "reading allowance", err)))
		return COLINK_EIO;
	*present = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!*present)
		return COLINK_OK;
	snprintf(from, sizeof(from), "%04d-04-01", fy);
	snprintf(to, sizeof(to), "%04d-03-31", fy + 1);
	/* one row per employee first (several payments: days add up; a
	 * mental-disorder cause in any of them counts), then per cell.  The
	 * cause: the payment's ICD-10 code, else the disease master's for its
	 * 傷病名コード (neither: not counted as F). */
	if (!(res = whp_wp_query(wh,
			"SELECT w.band, w.sex, count(*), coalesce(sum(x.d), 0), coalesce(sum(x.f), 0) FROM ("
			" SELECT v.eid AS eid, coalesce(sum(CAST(a.days AS float8)), 0) AS d,"
			"  max(CASE WHEN upper(substr(coalesce(a.icd10, m.icd10), 1, 1) COLLATE \"C\") = 'F'"
			"   THEN 1 ELSE 0 END) AS f"
			" FROM allowance a JOIN person p ON p.person_no = a.person_no"
			" JOIN wp_person v ON v.aid = p.person_id"
			" LEFT JOIN disease_master m ON m.code = a.disease_code"
			" WHERE a.period_from COLLATE \"C\" BETWEEN $1 AND $2 GROUP BY v.eid) x"
			" JOIN wp_person w ON w.eid = x.eid WHERE w.band IS NOT NULL"
			" GROUP BY 1, 2 ORDER BY 1, 2",
			2, v, "reading allowance", err)))
		return COLINK_EIO;
	for (i = 0; i < PQntuples(res); i++)
		cb(ud, strtol(PQgetvalue(res, i, 0), NULL, 10), atoi(PQgetvalue(res, i, 1)),
		   strtol(PQgetvalue(res, i, 2), NULL, 10), strtod(PQgetvalue(res, i, 3), NULL),
		   (long)strtod(PQgetvalue(res, i, 4), NULL));
	PQclear(res);
	return COLINK_OK;
}

/* The statement's head: the ranges as wp_dgroup (ord: the file's order
 * decides a code that two ranges hold; $7.. their group, from and to). */
static char *ranges_sql(size_t n, size_t *len)
{
	static const char empty[] = "SELECT 0, ''::text, ''::text, ''::text WHERE FALSE";
	size_t cap = 128 + sizeof(empty) + n * 64, i;
	char *p = colink_malloc(cap);
	int k;
	if (!p)
		return NULL;
	k = snprintf(p, cap, "WITH wp_dgroup (ord, grp, lo, hi) AS (%s", n ? "VALUES " : empty);
	*len = (size_t)k;
	for (i = 0; i < n; i++) {
		k = snprintf(p + *len, cap - *len, "%s(%zu, $%zu::text, $%zu::text, $%zu::text)",
			     i ? ", " : "", i, 7 + 3 * i, 8 + 3 * i, 9 + 3 * i);
		*len += (size_t)k;
	}
	*len += (size_t)snprintf(p + *len, cap - *len, "), ");
	return p;
}

static const char claims_sql[] =
	/* per claim of the year: its group is that of its first (lowest seq)
	 * 主傷病 that is not 疑い, through the master's ICD-10 (first three
	 * characters) and the first range holding it; '' when it has none or
	 * no range holds it.  Then per person and group (g = '*': every
	 * claim), aged and sexed like whp_claims_by_band. */
	"cl AS (SELECT c.person_no AS pn, CAST(c.yen AS float8) AS yen, coalesce(("
	"  SELECT g.grp FROM claim_diagnosis d JOIN disease_master m ON m.code = d.diagnosis_code"
	"  JOIN wp_dgroup g ON upper(substr(m.icd10, 1, 3) COLLATE \"C\") BETWEEN g.lo AND g.hi"
	"  WHERE d.person_no = c.person_no AND d.claim_key = c.claim_key AND d.seq = ("
	"   SELECT min(e.seq) FROM claim_diagnosis e WHERE e.person_no = c.person_no"
	"   AND e.claim_key = c.claim_key AND e.main = 1 AND coalesce(e.suspected, 0) = 0)"
	"  ORDER BY g.ord LIMIT 1), '') AS grp"
	" FROM claim c WHERE c.service_month COLLATE \"C\" BETWEEN $2 AND $3 AND c.yen IS NOT NULL),"
	" pc AS (SELECT pn, grp, coalesce(sum(yen), 0) AS cost FROM cl GROUP BY pn, grp"
	"  UNION ALL SELECT pn, '*', coalesce(sum(yen), 0) FROM cl GROUP BY pn) "
	"SELECT x.grp, CASE WHEN x.a >= 0 THEN x.b ELSE -1 END, x.sex, count(*),"
	" coalesce(sum(x.cost), 0) FROM (SELECT pc.grp AS grp, pc.cost AS cost,"
	" CASE WHEN pa.age IS NOT NULL THEN pa.age WHEN $1::int = 1 THEN ea.age END AS a,"
	" CASE WHEN pa.age IS NOT NULL THEN pa.band WHEN $1::int = 1 THEN ea.band END AS b,"
	" CASE WHEN p.sex IN ('1', '2') THEN CAST(p.sex AS int)"
	"  WHEN $1::int = 1 AND e.sex IN ('1', '2') THEN CAST(e.sex AS int) ELSE 0 END AS sex"
	" FROM pc JOIN person p ON p.person_no = pc.pn"
	" LEFT JOIN link l ON l.association_person_id = p.person_id"
	" LEFT JOIN person e ON e.person_id = l.employer_person_id"
	" LEFT JOIN unnest($4::bigint[], $5::int[], $6::int[]) AS pa (ym, age, band) ON pa.ym = p.birth_ym"
	" LEFT JOIN unnest($4::bigint[], $5::int[], $6::int[]) AS ea (ym, age, band) ON ea.ym = e.birth_ym) x"
	" GROUP BY 1, 2, 3 ORDER BY x.grp COLLATE \"C\", 2, 3";

int whp_claims_by_group(struct colink_wh *wh, int fy, int roster, const struct colink_wh_icd_range *ranges,
			size_t nranges, int *present, colink_wh_claim_group_cb cb, void *ud,
			struct colink_error *err)
{
	char from[32], to[32], rt[4], *head = NULL, *sql = NULL, *ym = NULL, *age = NULL, *band = NULL;
	const char **v = NULL;
	PGresult *res = NULL;
	size_t len = 0, i;
	int rc, r;
	*present = whp_table_exists(wh, "claim") && whp_table_exists(wh, "claim_diagnosis");
	if (!*present)
		return COLINK_OK;
	if (nranges > 20000) /* a statement takes at most 65535 parameters */
		return COLINK_ERR(err, COLINK_EINVAL, "white paper: %zu disease group ranges are too many "
				  "for a postgresql warehouse (at most 20000)", nranges);
	snprintf(from, sizeof(from), "%04d-04", fy);
	snprintf(to, sizeof(to), "%04d-03~", fy + 1);
	snprintf(rt, sizeof(rt), "%d", roster != 0);
	if ((rc = whp_age_map(wh, fy, &ym, &age, &band, "reading claims by disease group", err)))
		return rc;
	head = ranges_sql(nranges, &len);
	sql = head ? colink_malloc(len + sizeof(claims_sql)) : NULL;
	v = colink_calloc(6 + 3 * nranges, sizeof(*v));
	if (!sql || !v) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(sql, head, len);
	memcpy(sql + len, claims_sql, sizeof(claims_sql));
	v[0] = rt;
	v[1] = from;
	v[2] = to;
	v[3] = ym;
	v[4] = age;
	v[5] = band;
	for (i = 0; i < nranges; i++) {
		v[6 + 3 * i] = ranges[i].group;
		v[7 + 3 * i] = ranges[i].from;
		v[8 + 3 * i] = ranges[i].to;
	}
	if (!(res = whp_wp_query(wh, sql, (int)(6 + 3 * nranges), v, "reading claims by disease group",
				 err))) {
		rc = COLINK_EIO;
		goto out;
	}
	for (r = 0; r < PQntuples(res); r++)
		cb(ud, PQgetvalue(res, r, 0), atoi(PQgetvalue(res, r, 1)), atoi(PQgetvalue(res, r, 2)),
		   strtol(PQgetvalue(res, r, 3), NULL, 10), strtod(PQgetvalue(res, r, 4), NULL));
	PQclear(res);
out:
	colink_free(v);
	colink_free(sql);
	colink_free(head);
	colink_free(ym);
	colink_free(age);
	colink_free(band);
	return rc;
}
