#!/usr/bin/python3
"""Peer baseline: the job as a data steward would script it with pandas.
Pseudonymize (HMAC-SHA256 of insurer|symbol|number), drop direct identifiers,
aggregate attendance per employee-year, link, and load into SQLite (long checkup facts + person table).

Adapted for colink's bench (bench/bench.sh) from /work/shared/bench/peer_pandas.py;
ONLY file and column names changed, the logic is the original's:
  - files: checkups.csv -> vendor_a.csv, employees.csv -> roster.csv
    (attendance.csv keeps its name); all written by colink-gen --employer.
  - roster columns 記号/番号 are renamed on read to the original's
    被保険者証記号/被保険者証番号.
  - the original hard-codes the insurer "06123456|" for employees; that number
    fails the 保険者番号 check digit colink enforces, and the generator's
    employees belong to several insurers, so the roster's own 保険者番号 column
    is used instead (em["保険者番号"] + "|").
  - attendance is in the freee layout (mappings/employer/attendance_freee.xml);
    its columns are renamed on read to the original's names:
    employee_num -> 社員番号, total_overtime_except_normal_work_mins -> 残業時間,
    num_paid_holidays -> 有給取得日数, sick_leave_days -> 病欠日数, and, since the
    freee layout has no grant column, work_days -> 有給付与日数 (same cost: one
    more max() over an integer column; the rate is meaningless, nobody reads it).
"""
import sys, hmac, hashlib, sqlite3, pandas as pd
src, db = sys.argv[1], sys.argv[2]
key = b"0123456789abcdef0123456789abcdef"
def pid(s): return hmac.new(key, s.encode(), hashlib.sha256).hexdigest()
ck = pd.read_csv(f"{src}/vendor_a.csv", dtype=str)
ck["pid"] = (ck["保険者番号"] + "|" + ck["被保険者証記号"] + "|" + ck["被保険者証番号"]).map(pid)
ck["birth_ym"] = ck["生年月日"].str[:7]
ck = ck.drop(columns=["保険者番号", "被保険者証記号", "被保険者証番号", "枝番", "氏名カナ", "生年月日"])
facts = ck.melt(id_vars=["pid", "受診日", "性別", "birth_ym"], var_name="item", value_name="value")
em = pd.read_csv(f"{src}/roster.csv", dtype=str).rename(
    columns={"記号": "被保険者証記号", "番号": "被保険者証番号"})
em["pid"] = (em["保険者番号"] + "|" + em["被保険者証記号"] + "|" + em["被保険者証番号"]).map(pid)
at = pd.read_csv(f"{src}/attendance.csv", dtype={"employee_num": str}).rename(
    columns={"employee_num": "社員番号", "total_overtime_except_normal_work_mins": "残業時間",
             "num_paid_holidays": "有給取得日数", "sick_leave_days": "病欠日数",
             "work_days": "有給付与日数"})
agg = at.groupby("社員番号").agg(overtime=("残業時間", "sum"), paid_leave=("有給取得日数", "sum"),
                               granted=("有給付与日数", "max"), sick_days=("病欠日数", "sum")).reset_index()
agg["paid_leave_rate"] = agg["paid_leave"] / agg["granted"]
person = em[["社員番号", "pid", "事業所", "職種"]].merge(agg, on="社員番号").drop(columns=["社員番号"])
linked = person.merge(ck[["pid"]].drop_duplicates(), on="pid", how="inner")
con = sqlite3.connect(db)
facts.to_sql("checkup_fact", con, index=False, if_exists="replace", chunksize=100000)
person.to_sql("employee_year", con, index=False, if_exists="replace", chunksize=100000)
con.commit()
print(f"facts={len(facts)} persons={len(person)} linked={len(linked)}")
