"""RP01, BS01-BS05 and NM01 on tiny hand-made tables (tsm.md)."""


def measure(con, code, part="", year=2024):
    return con.execute(
        """select numerator, denominator, value, status, status_reason
           from report.report_tsm_publication_table
           where end_year = ? and measure_code = ? and measure_part = ?""", [year, code, part]
    ).fetchone()


def test_rp01_latest_assessment_on_or_before_31_march(build):
    homes = ("home_ref,tenure,disposed_date,decent_homes_applies\n"
             "H1,LCRA,,\nH2,LCRA,,\nH3,LCRA,,\nH4,LCRA,,\n"
             "H5,LCRA,2024-01-01,\n"      # sold before year end: out
             "H6,LCRA,,N\n"               # the Standard does not apply: out
             "H7,LCHO,,\n")               # LCHO: blank means it does not apply
    decent = ("as_at,home_ref,meets_standard,failure_reason\n"
              "2024-03-31,H1,N,disrepair\n"          # fails
              "2023-09-30,H2,N,thermal_comfort\n"    # failed, then
              "2024-03-31,H2,Y,\n"                   # passed by year end
              "2023-03-31,H3,Y,\n"
              "15/04/2024,H3,N,disrepair\n"          # after the year end: not yet
              "2024-03-31,H5,N,disrepair\n"
              "2024-03-31,H6,N,disrepair\n"
              "2024-03-31,H7,N,disrepair\n")
    con = build({"homes.csv": homes, "decent_homes.csv": decent})
    # in scope: H1, H2, H3, H4 (no assessment: not failing); failing: H1
    assert measure(con, "RP01")[:3] == (1, 4, 25.0)
    # 2024/25: H3's April 2024 failure now counts (H1, H3 of H1-H4)
    assert measure(con, "RP01", year=2025)[:2] == (2, 4)


HOMES_BS = ("home_ref,tenure,building_ref,disposed_date\n"
            "H1,LCRA,B1,\nH2,LCRA,B1,\nH3,leasehold,B1,\nH4,LCRA,,\n"
            "H5,LCHO,B2,\nH6,LCRA,B2,2023-12-01\n")
CHECKS = ("as_at,check_type,asset_ref,required,compliant\n"
          # gas per home: H1 ok, H2 not, H4 ok, H5 not required, H3 leasehold (not counted)
          "2024-03-31,gas,H1,Y,Y\n2024-03-31,gas,H2,Y,N\n2024-03-31,gas,H4,Y,Y\n"
          "2024-03-31,gas,H5,N,\n2024-03-31,gas,H3,Y,Y\n"
          # fire per building, plus a failed home-level assessment for H1
          "2024-03-31,fire,B1,Y,Y\n2024-03-31,fire,B2,Y,N\n2024-03-31,fire,H1,Y,N\n"
          # water: required but compliance not recorded -> staged and not compliant (tsm.md;
          # D49): B1's LCRA homes H1, H2 stay in the denominator and leave the numerator
          "2024-03-31,water,B1,Y,\n"
          # lift: not required anywhere
          "2024-03-31,lift,B2,N,\n"
          # asbestos dated 30 March: not the year-end position
          "2024-03-30,asbestos,B1,Y,Y\n")


def test_building_safety_counts_homes_not_buildings(build):
    con = build({"homes.csv": HOMES_BS, "safety_checks.csv": CHECKS})
    # gas: denominator H1, H2, H4; numerator H1, H4
    assert measure(con, "BS01")[:2] == (2, 3)
    # fire: B1 covers H1, H2 (not leasehold H3); B2 covers H5 (H6 sold). H1 also has a failed
    # home check, so only H2 has every applicable fire check compliant
    assert measure(con, "BS02")[:2] == (1, 3)
    # water: 0 of H1, H2 (a blank compliant is not compliant; quarantining the row would
    # have dropped both homes and made the measure not available)
    assert measure(con, "BS04")[:2] == (0, 2) and measure(con, "BS04")[3] == "ok"
    quarantined = con.execute("select source_row, column_name, rule, message from quarantine.rows "
                              "where source = 'safety_checks'").fetchall()
    # both blank-compliance rows (water required, lift not required) are staged
    assert quarantined == []
    blank = con.execute("select item, count from report.report_data_quality where end_year = 2024 "
                        "and item like 'required_check_compliance_blank:%' and count > 0").fetchall()
    assert blank == [("required_check_compliance_blank:water", 1)]
    assert measure(con, "BS05")[3:] == ("not_available", "no homes with a required lift check at 31 March")
    assert measure(con, "BS03")[3] == "not_available"


def test_nm01_asb_and_hate_per_1000_homes(build):
    homes = "home_ref,tenure\nH1,LCRA\nH2,LCRA\nH3,LCRA\nH4,LCHO\nH5,leasehold\n"
    cases = ("case_ref,opened_date,hate_incident,tenure\n"
             "A1,05/04/2023,,\n"            # blank tenure: LCRA
             "A2,2023-06-01,Y,LCHO\n"
             "A3,2023-06-01,Y,leasehold\n"  # relates only to out-of-scope homes: out
             "A4,31/03/2023,N,\n"           # previous year
             "A5,31/03/2024,yes,\n")
    con = build({"homes.csv": homes, "asb_cases.csv": cases})
    # 3 cases (A1, A2, A5) over 4 LCRA + LCHO homes = 750 per 1,000; hate A2, A5 = 500
    assert measure(con, "NM01", "asb")[:3] == (3, 4, 750.0)
    assert measure(con, "NM01", "hate")[:3] == (2, 4, 500.0)


def test_absent_inputs_are_not_available_with_a_reason_and_no_figures(build):
    con = build({})
    for code, part in [("RP01", ""), ("RP02", "emergency"), ("BS01", ""), ("NM01", "asb")]:
        numerator, denominator, value, status, reason = measure(con, code, part)
        assert (numerator, denominator, value, status) == (None, None, None, "not_available")
        assert reason.startswith("no ") and ".csv in the dataset" in reason
