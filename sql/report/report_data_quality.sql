-- data_quality.csv (outputs.md): what was read, staged and quarantined per file, quarantine
-- counts by rule, the complaint records the TSMs leave out or treat specially, and
-- plausibility warnings (tsm.md). Grain: one row per year x category x file x check.
-- end_year is null for rows about loads, which hold for every year.
with loads as (
    select * from audit.loads
),

quarantine as (
    select * from quarantine.rows
),

stages as (
    select * from intermediate.int_complaint_stages
),

years as (
    select * from intermediate.int_reporting_years
),

-- "now" for open cases is the date of the latest complaints export (not the clock), so
-- that the same files always give the same report
exported_at as (
    select coalesce(
        (select max(export_date) from audit.loads where source = 'complaints'),
        (select greatest(max(received_date), max(responded_date)) from stages)
    ) as as_at
),

publication as (
    select * from report.report_tsm_publication_table where status = 'ok'
),

load_counts as (
    select null::INTEGER as end_year, 'load' as category, source, source_file, k.item,
        case k.item when 'rows_read' then rows_read when 'rows_staged' then rows_staged
            else rows_quarantined end::BIGINT as count,
        '' as message
    from loads
    cross join (values ('rows_read'), ('rows_staged'), ('rows_quarantined')) as k(item)
),

quarantine_by_rule as (
    select null::INTEGER as end_year, 'quarantine' as category, source, source_file,
        coalesce(column_name, '') || ':' || rule as item,
        count(distinct source_row)::BIGINT as count,
        any_value(message) as message
    from quarantine
    group by all
),

-- each check is counted once per year, then unpivoted into one row per check
complaint_counts as (
    select
        years.end_year,
        count(s.complaint_ref) filter (where s.is_refused) as refused_not_counted_in_tsm,
        count(s.complaint_ref) filter (where not s.is_tsm_tenure and not s.is_refused) as other_tenure_not_counted_in_tsm,
        count(s.complaint_ref) filter (where s.tenure_source = 'default_lcra') as tenure_defaulted_to_lcra_no_home,
        count(s.complaint_ref) filter (where s.has_unknown_home) as home_ref_not_in_homes,
        count(s.complaint_ref) filter (where s.acknowledged_date is null) as no_acknowledged_date_clock_from_receipt,
        count(s.complaint_ref) filter (where s.has_extension_without_date) as extension_agreed_without_due_date,
        count(s.complaint_ref) filter (where s.is_extension_over_maximum) as extension_over_code_maximum_capped,
        count(s.complaint_ref) filter (where s.responded_date is null and not s.is_refused) as open_at_export_not_within_timescale,
        count(s.complaint_ref) filter (where s.responded_date is null and not s.is_refused
                and s.deadline_date >= exported_at.as_at) as open_at_export_not_yet_due,
        count(s.complaint_ref) filter (where s.is_responded_before_received) as responded_before_received,
        count(s.complaint_ref) filter (where s.code_version is null) as no_code_version_for_received_date,
    from years
    cross join exported_at
    left join stages s on s.received_end_year = years.end_year
    group by years.end_year
),

complaint_checks as (
    select
        c.end_year, 'complaints' as category, 'complaints' as source, '' as source_file, k.item,
        k.count::BIGINT as count, k.message,
    from complaint_counts c
    cross join lateral (values
        ('refused_not_counted_in_tsm', c.refused_not_counted_in_tsm,
            'refused complaints are not stage 1 or 2 complaints for CH01/CH02; reported by reason'),
        ('other_tenure_not_counted_in_tsm', c.other_tenure_not_counted_in_tsm,
            'complaints about homes of other tenures (leasehold, market rent, ...) are left out of CH01/CH02'),
        ('tenure_defaulted_to_lcra_no_home', c.tenure_defaulted_to_lcra_no_home,
            'no tenure and no known home: counted as LCRA'),
        ('home_ref_not_in_homes', c.home_ref_not_in_homes,
            'home_ref not found in homes.csv'),
        ('no_acknowledged_date_clock_from_receipt', c.no_acknowledged_date_clock_from_receipt,
            'no acknowledgement date: timescale counted from receipt (conservative)'),
        ('extension_agreed_without_due_date', c.extension_agreed_without_due_date,
            'extension agreed but no extended due date: no extension evidenced'),
        ('extension_over_code_maximum_capped', c.extension_over_code_maximum_capped,
            'extension longer than the Code maximum: capped at the maximum'),
        ('open_at_export_not_within_timescale', c.open_at_export_not_within_timescale,
            'no response at the export date: not within timescale (CH02 provisional)'),
        ('open_at_export_not_yet_due', c.open_at_export_not_yet_due,
            'still open and not yet due at the time of this run: CH02 provisional'),
        ('responded_before_received', c.responded_before_received,
            'response dated before receipt: check the dates'),
        ('no_code_version_for_received_date', c.no_code_version_for_received_date,
            'received before the first Complaint Handling Code (July 2020): no timescale')
    ) as k(item, count, message)
),

repair_counts as (
    select
        years.end_year,
        count(r.job_ref) filter (where r.is_completed_before_reported) as completed_before_reported,
        count(r.job_ref) filter (where r.is_completed_without_date) as completed_without_completion_date,
        count(r.job_ref) filter (where r.repair_type <> 'responsive') as not_responsive_left_out,
        count(r.job_ref) filter (where r.status = 'cancelled') as cancelled_left_out,
        count(r.job_ref) filter (where r.is_rp02_job and r.tenure = 'LCHO') as lcho_left_out,
        count(r.job_ref) filter (where r.is_rp02_job and r.tenure not in ('LCRA', 'LCHO'))
            as other_tenure_left_out,
    from years
    left join intermediate.int_repairs_with_targets r
        on coalesce(r.completed_end_year,
            case when month(r.reported_at) >= 4 then year(r.reported_at) + 1
                else year(r.reported_at) end) = years.end_year
    where exists (select 1 from intermediate.int_input_files where source = 'repairs')
    group by years.end_year
),

repair_checks as (
    select
        c.end_year, 'repairs' as category, 'repairs' as source, '' as source_file, k.item,
        k.count::BIGINT as count, k.message,
    from repair_counts c
    cross join lateral (values
        ('completed_before_reported', c.completed_before_reported,
            'repairs completed before they were reported: check the dates'),
        ('completed_without_completion_date', c.completed_without_completion_date,
            'status completed but no completed_at: left out of RP02'),
        ('not_responsive_left_out', c.not_responsive_left_out,
            'planned, void and other jobs are not responsive repairs'),
        ('cancelled_left_out', c.cancelled_left_out,
            'cancelled jobs are left out of RP02'),
        ('lcho_left_out', c.lcho_left_out,
            'jobs in LCHO homes are left out of RP02 (LCRA only)'),
        ('other_tenure_left_out', c.other_tenure_left_out,
            'jobs in homes of tenures outside the TSMs (leasehold, market rent, ...) are left out of RP02')
    ) as k(item, count, message)
),

safety_checks_checks as (
    select
        years.end_year, 'safety_checks' as category, 'safety_checks' as source, '' as source_file,
        k.item,
        count(c.asset_ref) filter (where c.as_at <> years.end_date)::BIGINT as count,
        'check rows dated in the year but not 31 March: not the year-end position, not counted'
            as message
    from years
    cross join (values ('position_not_dated_31_march')) as k(item)
    left join staging.safety_checks c on c.as_at between years.start_date and years.end_date
    where exists (select 1 from intermediate.int_input_files where source = 'safety_checks')
    group by all
),

-- a required check with compliance left blank is staged and counts as not compliant
-- (tsm.md; D49): counted per check type in the year-end position
safety_checks_blank_compliant as (
    select
        years.end_year, 'safety_checks' as category, 'safety_checks' as source, '' as source_file,
        'required_check_compliance_blank:' || t.check_type as item,
        count(c.asset_ref)::BIGINT as count,
        'required ' || t.check_type || ' checks at 31 March with compliance left blank: '
            || 'counted as not compliant, the homes stay in the denominator' as message
    from years
    cross join (values ('gas'), ('fire'), ('asbestos'), ('water'), ('lift')) as t(check_type)
    left join staging.safety_checks c
        on c.as_at = years.end_date and c.check_type = t.check_type
        and c.required and c.compliant is null
    where exists (select 1 from intermediate.int_input_files where source = 'safety_checks')
    group by all
),

-- rows of tenures outside the TSMs are kept, not errors, and counted here (inputs.md):
-- homes owned at year end, and ASB cases opened in the year, per such tenure
other_tenure_homes as (
    select years.end_year, 'homes' as category, 'homes' as source, '' as source_file,
        'homes_of_tenure:' || h.tenure as item, count(*)::BIGINT as count,
        'homes of a tenure outside the TSMs owned at year end: in no TSM' as message
    from years
    join staging.homes h
        on (h.acquired_date is null or h.acquired_date <= years.end_date)
        and (h.disposed_date is null or h.disposed_date > years.end_date)
    where h.tenure not in ('LCRA', 'LCHO')
    group by all
),

other_tenure_asb as (
    select years.end_year, 'asb_cases' as category, 'asb_cases' as source, '' as source_file,
        'cases_of_tenure:' || a.tenure as item, count(*)::BIGINT as count,
        'ASB cases opened in the year relating to homes of a tenure outside the TSMs: left out of NM01'
            as message
    from years
    join staging.asb_cases a on a.opened_date between years.start_date and years.end_date
    where a.tenure not in ('LCRA', 'LCHO')
    group by all
),

-- survey answers left out of the perception measures (tsm.md): routed away, don't know
-- where the question has no such option, asked of the other tenure only
survey_checks as (
    select
        a.end_year, 'survey' as category, 'survey_responses' as source, '' as source_file,
        a.measure_code || ' ' || a.tenure || ' ' || k.item as item,
        count(*) filter (where case k.item
            when 'answered_but_routed_away' then a.is_routed_away
            when 'answered_with_routing_blank' then a.is_routing_blank and a.is_asked_of_tenure
            when 'dont_know_excluded' then a.is_dont_know and a.is_asked_of_tenure
            when 'dont_know_not_offered' then a.answer = 'dont_know' and a.is_asked_of_tenure
                and not a.is_dont_know_allowed
            when 'not_asked_of_this_tenure' then not a.is_asked_of_tenure
        end)::BIGINT as count,
        case k.item
            when 'answered_but_routed_away' then 'answer from a respondent the routing sends past the question: excluded'
            when 'answered_with_routing_blank' then 'answer from a respondent whose routing answer is blank, so not routed to the question: excluded'
            when 'dont_know_not_offered' then 'don''t know given to a question that offers no don''t know: excluded, check the survey'
            when 'dont_know_excluded' then 'don''t know / not applicable: excluded from the denominator'
            when 'not_asked_of_this_tenure' then 'the question is not asked of this tenure: answer excluded'
        end as message
    from intermediate.int_survey_answers a
    cross join (values ('answered_but_routed_away'), ('answered_with_routing_blank'),
        ('dont_know_excluded'), ('dont_know_not_offered'),
        ('not_asked_of_this_tenure')) as k(item)
    group by all
    having count > 0
),

-- plausibility warnings (tsm.md): values far outside what the sector reports
plausibility as (
    select end_year, 'plausibility' as category, measure_code as source, '' as source_file,
        measure_code || coalesce(' ' || nullif(measure_part, ''), '') || ' ' || tenure as item,
        1::BIGINT as count,
        case
            when measure_code = 'CH01' and measure_part = 'stage_1' and value > 150
                then 'over 150 stage 1 complaints per 1,000 homes'
            when measure_code = 'CH01' and measure_part = 'stage_1' and value < 1
                then 'under 1 stage 1 complaint per 1,000 homes'
            when measure_code = 'CH02' and value < 30 then 'under 30% responded within timescale'
            when measure_code = 'RP02' and value < 30 then 'under 30% of repairs completed within target'
            when measure_code like 'BS0%' and value < 80 then 'under 80% of homes with every required check done'
            when measure_code = 'NM01' and measure_part = 'asb' and value > 150
                then 'over 150 ASB cases per 1,000 homes'
            when measure_code like 'TP%' and (value < 20 or value > 98)
                then 'perception measure under 20% or over 98%'
        end as message
    from publication
),

stage_2_above_stage_1 as (
    select s2.end_year, 'plausibility' as category, 'CH01' as source, '' as source_file,
        'CH01 ' || s2.tenure as item, 1::BIGINT as count,
        'more stage 2 than stage 1 complaints per 1,000 homes' as message
    from publication s2
    join publication s1 using (end_year, measure_code, tenure)
    where s2.measure_code = 'CH01' and s2.measure_part = 'stage_2' and s1.measure_part = 'stage_1'
        and s2.value > s1.value
),

denominator_moved as (
    select cur.end_year, 'plausibility' as category, cur.measure_code as source, '' as source_file,
        cur.measure_code || coalesce(' ' || nullif(cur.measure_part, ''), '') || ' ' || cur.tenure as item,
        1::BIGINT as count,
        'denominator moved ' || round(100.0 * (cur.denominator - prev.denominator) / prev.denominator, 1)
            || '% from the previous year (over 20%)' as message
    from publication cur
    join publication prev
        on prev.end_year = cur.end_year - 1
        and prev.measure_code = cur.measure_code
        and prev.measure_part = cur.measure_part
        and prev.tenure = cur.tenure
    where prev.denominator > 0
        and abs(cur.denominator - prev.denominator) / prev.denominator > 0.2
)

select * from load_counts
union all select * from quarantine_by_rule
union all select * from complaint_checks
union all select * from repair_checks
union all select * from safety_checks_checks
union all select * from safety_checks_blank_compliant
union all select * from survey_checks
union all select * from other_tenure_homes
union all select * from other_tenure_asb
union all select * from plausibility where message is not null
union all select * from stage_2_above_stage_1
union all select * from denominator_moved
order by end_year nulls first, category, source, source_file, item
