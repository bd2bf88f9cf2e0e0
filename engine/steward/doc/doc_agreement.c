/*
 * doc_agreement.c -- the document of a joint-use agreement: parties and
 * roles, purposes, prohibited uses, item clauses, which clauses cover each
 * item, and the public notice (共同利用の公表文) with the five items of
 * 個人情報保護法 第27条第5項第3号, ready to publish.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "steward/doc/doc.h"
#include "steward/doc/doc_int.h"
#include "policy/agreement_sig.h"

/* ---- labels ----------------------------------------------------------- */

const char *doc_party_ja(int party)
{
	return party == COLINK_PARTY_ASSOCIATION ? "健保組合"
	       : party == COLINK_PARTY_EMPLOYER ? "企業（事業主）" : "-";
}

const char *doc_flow_ja(int flow)
{
	return flow == COLINK_FLOW_ASSOCIATION_TO_EMPLOYER ? "健保組合から事業主へ"
	       : flow == COLINK_FLOW_EMPLOYER_TO_ASSOCIATION ? "事業主から健保組合へ" : "提供なし";
}

const char *doc_level_ja(int level)
{
	return level == COLINK_LEVEL_INDIVIDUAL ? "個人が特定できる個人データ"
	       : level == COLINK_LEVEL_PSEUDONYMIZED ? "仮名化した個人単位のデータ（氏名・番号を含まない）"
	       : level == COLINK_LEVEL_AGGREGATE ? "集計データのみ" : "-";
}

/* A field's label for a notice: its catalogue description up to the first
 * " (" (the notes in parentheses are for data stewards), else its name. */
static const char *field_label(const struct colink_catalog *cat, const char *name, size_t *len)
{
	const struct colink_field_def *fd = cat ? colink_catalog_field(cat, name) : NULL;
	const char *d = fd && fd->description && *fd->description ? fd->description : name;
	const char *cut = strstr(d, " (");
	*len = cut ? (size_t)(cut - d) : strlen(d);
	return d;
}

/* Length of the label's group prefix: up to its last space ("収縮期血圧 1回目"
 * -> "収縮期血圧"), 0 when it has none. */
static size_t label_prefix(const char *l, size_t len)
{
	size_t i = len;
	while (i > 0 && l[i - 1] != ' ')
		i--;
	return i > 1 ? i - 1 : 0;
}

/* The items of one clause, in notice form: duplicates dropped, a run of
 * labels sharing a prefix written once ("収縮期血圧（1回目・2回目・その他）",
 * or "（A1〜D2、57項目）" for a long run). */
static void notice_fields(FILE *f, const struct colink_catalog *cat,
			  const struct colink_agreement_clause *c)
{
	size_t i = 0, k, out = 0;
	while (i < c->nfields) {
		size_t len, plen, j = i + 1, n = 1, dup = 0;
		const char *l = field_label(cat, c->fields[i], &len);
		for (k = 0; k < i && !dup; k++) {
			size_t kl;
			const char *o = field_label(cat, c->fields[k], &kl);
			dup = kl == len && !memcmp(o, l, len);
		}
		if (dup) {
			i++;
			continue;
		}
		plen = label_prefix(l, len);
		while (plen && j < c->nfields) {
			size_t jl;
			const char *o = field_label(cat, c->fields[j], &jl);
			if (label_prefix(o, jl) != plen || memcmp(o, l, plen))
				break;
			j++;
			n++;
		}
		fputs(out++ ? "、" : "", f);
		if (n == 1) {
			fwrite(l, 1, len, f);
		} else if (n <= 4) {
			fwrite(l, 1, plen, f);
			fputs("（", f);
			for (k = i; k < j; k++) {
				size_t kl;
				const char *o = field_label(cat, c->fields[k], &kl);
				fputs(k > i ? "・" : "", f);
				fwrite(o + plen + 1, 1, kl - plen - 1, f);
			}
			fputs("）", f);
		} else {
			size_t ll;
			const char *last = field_label(cat, c->fields[j - 1], &ll);
			fwrite(l, 1, plen, f);
			fputs("（", f);
			fwrite(l + plen + 1, 1, len - plen - 1, f);
			fputs("〜", f);
			fwrite(last + plen + 1, 1, ll - plen - 1, f);
			fprintf(f, "、%zu項目）", n);
		}
		i = j;
	}
}

static char *join(const char *const *v, size_t n, const char *sep)
{
	char *s = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&s, &len);
	if (!f)
		return NULL;
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? sep : "", v[i]);
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	/* hand over as colink memory: callers free with colink_free */
	{
		char *c = colink_strdup(s);
		free(s);
		return c;
	}
}

static void date_ja(FILE *f, int ymd)
{
	fprintf(f, "%d年%d月%d日", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* ---- the public notice ----------------------------------------------------- */

static void notice_items(FILE *f, const struct colink_agreement *a,
			 const struct colink_catalog *cat)
{
	size_t i;
	int flow;
	fputs("２．共同して利用される個人データの項目\n", f);
	for (flow = COLINK_FLOW_ASSOCIATION_TO_EMPLOYER; flow <= COLINK_FLOW_EMPLOYER_TO_ASSOCIATION;
	     flow++) {
		int any = 0;
		for (i = 0; i < colink_agreement_nclauses(a); i++) {
			const struct colink_agreement_clause *c = colink_agreement_clause_at(a, i);
			if (c->flow != flow)
				continue;
			if (!any++)
				fprintf(f, "　【%s】\n", doc_flow_ja(flow));
			fprintf(f, "　・%s%s（%s）：", c->note ? c->note : "", c->note ? "" : c->id,
				doc_level_ja(c->level));
			notice_fields(f, cat, c);
			fputs("\n", f);
		}
	}
	fputs("　氏名、被保険者証の記号・番号、社員番号、生年月日は共同利用の際に仮名に置き換え、"
	      "仮名化した項目として利用します（個人が特定できる個人データとして提供する項目を除く）。\n\n", f);
}

static void notice_users(FILE *f, const struct colink_agreement *a)
{
	size_t i, k;
	fputs("３．共同して利用する者の範囲\n", f);
	for (i = 0; i < colink_agreement_nparties(a); i++) {
		const struct colink_agreement_party *p = colink_agreement_party_at(a, i);
		fprintf(f, "　%s（%s）：", p->name, doc_party_ja(p->party));
		for (k = 0; k < p->nroles; k++)
			fprintf(f, "%s%s", k ? "、" : "", p->roles[k]);
		fputs("\n", f);
	}
	fputs("　上記の者が、本事業の事業内容及び目的に沿った利用範囲内でのみ利用します。\n\n", f);
}

static void notice_purposes(FILE *f, const struct colink_agreement *a)
{
	static const char *const circled[] = {"①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩"};
	size_t i, n = colink_agreement_nprohibited(a);
	fputs("４．利用する者の利用目的\n", f);
	for (i = 0; i < colink_agreement_npurposes(a); i++) {
		if (i < sizeof(circled) / sizeof(circled[0]))
			fprintf(f, "　%s%s\n", circled[i], colink_agreement_purpose_at(a, i, NULL));
		else
			fprintf(f, "　(%zu) %s\n", i + 1, colink_agreement_purpose_at(a, i, NULL));
	}
	if (n) {
		fputs("　次の目的には一切利用しません：", f);
		for (i = 0; i < n; i++)
			fprintf(f, "%s%s", i ? "、" : "", colink_agreement_prohibited_at(a, i, NULL));
		fputs("\n", f);
	}
	fputs("\n", f);
}

static void notice_responsible(FILE *f, const struct colink_agreement *a)
{
	size_t i;
	fputs("５．当該個人データの管理について責任を有する者\n", f);
	for (i = 0; i < colink_agreement_nparties(a); i++) {
		const struct colink_agreement_party *p = colink_agreement_party_at(a, i);
		fprintf(f, "　%s\n", p->name);
		fprintf(f, "　　住所：%s\n", p->address && *p->address ? p->address : "（未記載）");
		fprintf(f, "　　代表者：%s\n",
			p->representative && *p->representative ? p->representative : "（未記載）");
		if (p->resp_title && *p->resp_title)
			fprintf(f, "　　責任者：%s\n", p->resp_title);
	}
}

/* The notice as one text (colink_malloc'd; NULL on OOM). */
char *doc_notice_text(const struct colink_agreement *a, const struct colink_catalog *cat)
{
	char *s = NULL, *out;
	size_t len = 0, i;
	int from, to;
	FILE *f = open_memstream(&s, &len);
	if (!f)
		return NULL;
	colink_agreement_period(a, &from, &to);
	fprintf(f, "%s\n\n", *colink_agreement_title(a) ? colink_agreement_title(a)
							 : "個人データの共同利用について");
	for (i = 0; i < colink_agreement_nparties(a); i++)
		fprintf(f, "%s%s", i ? "と" : "", colink_agreement_party_at(a, i)->name);
	fputs("は、個人情報の保護に関する法律 第27条第5項第3号に基づき、下記のとおり"
	      "個人データを共同して利用します。\n\n", f);
	fputs("１．共同利用をする旨\n　健診結果等の個人データを、下記の者の間で共同して利用します。", f);
	if (from) {
		fputs("（期間：", f);
		date_ja(f, from);
		fputs("から", f);
		if (to)
			date_ja(f, to);
		fputs(to ? "まで）" : "）", f);
	}
	fputs("\n\n", f);
	notice_items(f, a, cat);
	notice_users(f, a);
	notice_purposes(f, a);
	notice_responsible(f, a);
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	out = colink_strdup(s);
	free(s);
	return out;
}

/* ---- the agreement document -------------------------------------------------- */

static void sec_parties(struct colink_docw *d, const struct colink_agreement *a)
{
	static const char *const h[] = {"party", "name / 名称", "address / 住所",
					"representative / 代表者", "responsible / 責任者",
					"co-user roles / 利用する者", "line"};
	size_t i;
	colink_docw_heading(d, 2, "Co-users / 共同して利用する者の範囲");
	colink_docw_table(d, 7, h);
	for (i = 0; i < colink_agreement_nparties(a); i++) {
		const struct colink_agreement_party *p = colink_agreement_party_at(a, i);
		char *c[7];
		size_t k;
		c[0] = colink_docw_fmt("%s (%s)", colink_party_name(p->party), doc_party_ja(p->party));
		c[1] = colink_strdup(p->name ? p->name : "");
		c[2] = colink_strdup(p->address ? p->address : "");
		c[3] = colink_strdup(p->representative ? p->representative : "");
		c[4] = colink_docw_fmt("%s %s", p->resp_title ? p->resp_title : "",
				       p->resp_name ? p->resp_name : "");
		c[5] = join(p->roles, p->nroles, "、");
		c[6] = colink_docw_fmt("%d", p->line);
		colink_docw_row(d, (const char *const *)c);
		for (k = 0; k < 7; k++)
			colink_free(c[k]);
	}
	colink_docw_table_end(d);
}

static void sec_purposes(struct colink_docw *d, const struct colink_agreement *a)
{
	size_t i;
	int line;
	colink_docw_heading(d, 2, "Purposes / 利用目的");
	for (i = 0; i < colink_agreement_npurposes(a); i++) {
		const char *p = colink_agreement_purpose_at(a, i, &line);
		colink_docw_item(d, "%s (line %d)", p, line);
	}
	colink_docw_heading(d, 2, "Prohibited uses / 利用しない目的");
	if (!colink_agreement_nprohibited(a))
		colink_docw_note(d, "The agreement names no prohibited use.");
	for (i = 0; i < colink_agreement_nprohibited(a); i++) {
		const char *p = colink_agreement_prohibited_at(a, i, &line);
		colink_docw_item(d, "%s (line %d): refused by colink even if also listed as a purpose", p,
				 line);
	}
}

static void sec_clauses(struct colink_docw *d, const struct colink_agreement *a)
{
	static const char *const h[] = {"clause", "direction", "level (highest allowed)", "purposes",
					"recipient roles", "consent", "items", "line"};
	size_t i, k;
	colink_docw_heading(d, 2, "Item clauses / 提供する項目の条項");
	colink_docw_para(d, "A field that stays with its source party needs no clause. A clause lets "
			    "the fields it names cross to the other party, for its purposes, to its "
			    "roles, up to its level (individual ⊇ pseudonymized ⊇ aggregate).");
	colink_docw_table(d, 8, h);
	for (i = 0; i < colink_agreement_nclauses(a); i++) {
		const struct colink_agreement_clause *c = colink_agreement_clause_at(a, i);
		char *cell[8];
		cell[0] = colink_docw_fmt("%s%s%s", c->id, c->note ? ": " : "", c->note ? c->note : "");
		cell[1] = colink_docw_fmt("%s (%s)", colink_flow_name(c->flow), doc_flow_ja(c->flow));
		cell[2] = colink_docw_fmt("%s (%s)", colink_level_name(c->level), doc_level_ja(c->level));
		cell[3] = join(c->purposes, c->npurposes, "、");
		cell[4] = join(c->roles, c->nroles, "、");
		cell[5] = colink_strdup(c->consent_required ? "only records with consent" : "-");
		cell[6] = join(c->fields, c->nfields, ", ");
		cell[7] = colink_docw_fmt("%d", c->line);
		colink_docw_row(d, (const char *const *)cell);
		for (k = 0; k < 8; k++)
			colink_free(cell[k]);
	}
	colink_docw_table_end(d);
}

/* Which clauses cover each item: the reverse index of the clauses. */
static void sec_items(struct colink_docw *d, const struct colink_agreement *a,
		      const struct colink_catalog *cat)
{
	static const char *const h[] = {"item", "label", "covered by"};
	size_t i, j, k;
	colink_docw_heading(d, 2, "Items and the clauses that cover them / 項目別の条項");
	colink_docw_table(d, 3, h);
	for (i = 0; i < cat->nfields; i++) {
		const char *name = cat->fields[i].name;
		char *s = NULL;
		size_t len = 0;
		FILE *f = NULL;
		for (j = 0; j < colink_agreement_nclauses(a); j++) {
			const struct colink_agreement_clause *c = colink_agreement_clause_at(a, j);
			for (k = 0; k < c->nfields && strcmp(c->fields[k], name); k++)
				;
			if (k == c->nfields)
				continue;
			if (f)
				fputs("; ", f);
			else if (!(f = open_memstream(&s, &len))) {
				d->oom = 1;
				break;
			}
			fprintf(f, "%s %s, %s, for ", c->id, colink_flow_name(c->flow),
				colink_level_name(c->level));
			for (k = 0; k < c->npurposes; k++)
				fprintf(f, "%s%s", k ? "、" : "", c->purposes[k]);
			fputs(" to ", f);
			for (k = 0; k < c->nroles; k++)
				fprintf(f, "%s%s", k ? "、" : "", c->roles[k]);
		}
		if (f) {
			const char *cells[3];
			if (fclose(f))
				d->oom = 1;
			cells[0] = name;
			cells[1] = cat->fields[i].description ? cat->fields[i].description : "";
			cells[2] = s ? s : "";
			colink_docw_row(d, cells);
		}
		free(s);
	}
	colink_docw_table_end(d);
	colink_docw_para(d, "Items not listed stay with the party that holds them. Stress-check "
			    "individual results reach an employer-side recipient only for a worker who "
			    "consented (労働安全衛生法 第66条の10), whatever a clause says.");
}

void doc_signatures(struct colink_docw *d, const char *agreement, const struct colink_job *job)
{
	static const char *const h[] = {"party", "signer / 署名者", "signed at (UTC)", "key fingerprint",
					"verdict", "line"};
	struct colink_agreement_sigs *s = NULL;
	struct colink_error err = {0};
	size_t i;
	int rc = job ? colink_agreement_verify_job(&s, job, &err)
		     : colink_agreement_verify(&s, agreement, NULL, 0, &err);
	colink_docw_heading(d, 2, "Signatures / 署名");
	if (rc) {
		colink_docw_note(d, "The signatures cannot be read: %s. A run refuses this agreement "
				    "(unless --unsigned-agreement, which is recorded).", err.msg);
		return;
	}
	if (!s->n)
		colink_docw_note(d, "unsigned: %s has no signature. A run refuses it unless "
				    "--unsigned-agreement is given, which the ledger and the audit log record.",
				 s->sig_path);
	else {
		colink_docw_para(d, "Detached signatures in %s (Ed25519 over the agreement's exact bytes, "
				    "`colink agreement verify`):", s->sig_path);
		colink_docw_table(d, 6, h);
		for (i = 0; i < s->n; i++) {
			const struct colink_agreement_sig *x = &s->sigs[i];
			char *line = colink_docw_fmt("%d", x->line);
			const char *row[6] = {x->party, x->signer, x->time, x->fpr,
					      job ? colink_sig_verdict_name(x->verdict)
						  : "not checked (trusted keys are declared by a job)", line};
			colink_docw_row(d, row);
			colink_free(line);
		}
		colink_docw_table_end(d);
	}
	if (job && s->verified)
		colink_docw_para(d, "Verified against the keys this job trusts: %s.", s->summary);
	else if (job)
		colink_docw_note(d, "Against the keys this job trusts the agreement is %s: a run refuses "
				    "it unless --unsigned-agreement is given (recorded in the ledger and the "
				    "audit log).", s->summary);
	colink_agreement_sigs_free(s);
}

int doc_agreement_file(struct colink_docw *d, const char *path, const char *data_dir,
		       const struct colink_catalog *cat, struct colink_error *err)
{
	struct colink_agreement *a = NULL;
	char *title, *notice, until[32] = "(open-ended)";
	int from, to;
	int rc = colink_agreement_load(&a, path, data_dir, cat, err);
	if (rc)
		return rc;
	title = colink_docw_fmt("Agreement %s version %s — %s", colink_agreement_id(a),
				colink_agreement_version(a), colink_agreement_title(a));
	colink_docw_begin(d, title ? title : colink_agreement_id(a));
	colink_free(title);
	doc_provenance(d, "joint-use agreement (共同利用)", colink_agreement_path(a),
		       colink_agreement_sha256(a));
	colink_agreement_period(a, &from, &to);
	if (to)
		snprintf(until, sizeof(until), "to %04d-%02d-%02d", to / 10000, to / 100 % 100, to % 100);
	colink_docw_para(d, "Legal basis: 個人情報の保護に関する法律 第27条第5項第3号. In effect from "
			    "%04d-%02d-%02d %s.", from / 10000, from / 100 % 100, from % 100, until);
	sec_parties(d, a);
	sec_purposes(d, a);
	sec_clauses(d, a);
	sec_items(d, a, cat);
	doc_signatures(d, colink_agreement_path(a), NULL);
	colink_docw_heading(d, 2, "Public notice / 公表文（共同利用のお知らせ）");
	colink_docw_para(d, "Ready to publish (本人が容易に知り得る状態に置く): the five items of "
			    "第27条第5項第3号 — ① joint use, ② the items, ③ the co-users, ④ the "
			    "purposes, ⑤ the responsible party with its address and representative.");
	notice = doc_notice_text(a, cat);
	if (notice)
		colink_docw_pre(d, notice);
	else
		d->oom = 1;
	colink_free(notice);
	colink_docw_end(d);
	colink_agreement_free(a);
	return COLINK_OK;
}
