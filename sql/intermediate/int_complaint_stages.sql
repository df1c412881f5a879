-- Every complaint stage judged against the Complaint Handling Code version in force on
-- its received_date (complaints.md, "Deciding 'within timescale'"; docs/decisions.md).
-- Grain: one row per complaint_ref x stage (the current record: latest export wins).
-- incremental: by complaint_ref from staging.complaints
-- (other inputs unchanged, a complaint_ref's rows depend only on its own rows: a night
-- recomputes the complaint_refs its exports carry)
-- Working-day arithmetic is a join on params.calendar: the last allowed day of "N WD
-- from D" is the working day whose wd_index = wd_start(D) + N.
with stages as (
    select * from staging.complaints
),

homes as (
    select home_ref, tenure from staging.homes
),

calendar as (
    select * from params.calendar
),

versions as (
    select * from params.code_versions
),

-- escalated: the complaint has an accepted stage 2; a refused escalation request is a
-- refusal, reported by reason, never an escalation (complaints.md, "Escalation")
escalated as (
    select distinct complaint_ref from stages where stage = 2 and not coalesce(refused, false)
),

-- the tenure of a complaint, not of one stage row: a sparse stage 2 row takes what its
-- other stage says (its tenure, else its home)
complaint_facts as (
    select
        stages.complaint_ref,
        min(stages.tenure) as complaint_tenure,
        min(homes.tenure) as complaint_home_tenure,
    from stages
    left join homes on homes.home_ref = stages.home_ref
    group by stages.complaint_ref
),

-- tenure: the complaint's own; blank: the home's; no home: LCRA (complaints.md)
with_tenure as (
    select
        stages.*,
        coalesce(stages.tenure, complaint_facts.complaint_tenure, homes.tenure,
            complaint_facts.complaint_home_tenure, 'LCRA') as tenure_resolved,
        case
            when stages.tenure is not null then 'complaint'
            when complaint_facts.complaint_tenure is not null then 'complaint (other stage)'
            when coalesce(homes.tenure, complaint_facts.complaint_home_tenure) is not null then 'home'
            else 'default_lcra'
        end as tenure_source,
        stages.home_ref is not null and homes.home_ref is null as has_unknown_home,
    from stages
    left join homes on homes.home_ref = stages.home_ref
    left join complaint_facts on complaint_facts.complaint_ref = stages.complaint_ref
),

with_code_version as (
    select
        with_tenure.*,
        versions.code_version,
        versions.acknowledge_wd,
        case with_tenure.stage when 1 then versions.stage1_response_wd
            else versions.stage2_response_wd end as response_wd,
        case with_tenure.stage when 1 then versions.stage1_clock
            else versions.stage2_clock end as clock,
        case with_tenure.stage when 1 then versions.stage1_max_extension_wd
            else versions.stage2_max_extension_wd end as max_extension_wd,
    from with_tenure
    left join versions
        on with_tenure.received_date >= versions.effective_from
        and (versions.effective_to is null or with_tenure.received_date <= versions.effective_to)
),

-- acknowledge within 5 WD of receipt
with_acknowledge_by as (
    select
        with_code_version.*,
        received.wd_start as received_wd_start,
        acknowledge_by.date as acknowledge_by_date,
    from with_code_version
    left join calendar as received on received.date = with_code_version.received_date
    left join calendar as acknowledge_by
        on acknowledge_by.is_working_day
        and acknowledge_by.wd_index = received.wd_start + with_code_version.acknowledge_wd
),

-- clock start: receipt, or the acknowledgement but never later than receipt + 5 WD
-- (a late acknowledgement buys no time); no acknowledgement: the receipt (conservative).
-- An acknowledgement dated before receipt is a data error: the receipt is used.
with_clock_start as (
    select
        *,
        case
            when clock = 'receipt' or acknowledged_date is null then received_date
            else greatest(received_date, least(acknowledged_date, acknowledge_by_date))
        end as clock_start_date,
    from with_acknowledge_by
),

with_base_deadline as (
    select
        with_clock_start.*,
        base_deadline.date as base_deadline_date,
        base_deadline.wd_index as base_deadline_wd_index,
    from with_clock_start
    left join calendar as clock_start on clock_start.date = with_clock_start.clock_start_date
    left join calendar as base_deadline
        on base_deadline.is_working_day
        and base_deadline.wd_index = clock_start.wd_start + with_clock_start.response_wd
),

-- extension: WD from the base deadline to the extended due date the resident was told,
-- capped at the version's maximum (our choice: the maximum is a cap)
with_extension as (
    select
        with_base_deadline.*,
        coalesce(extension_agreed, false) and extended_due_date is not null as has_evidenced_extension,
        coalesce(extension_agreed, false) and extended_due_date is null as has_extension_without_date,
        case when coalesce(extension_agreed, false) and extended_due_date is not null
            then greatest(extended_due.wd_index - base_deadline_wd_index, 0)
        end as requested_extension_wd,
    from with_base_deadline
    left join calendar as extended_due on extended_due.date = with_base_deadline.extended_due_date
),

with_deadline as (
    select
        with_extension.*,
        -- least() skips nulls in DuckDB, so no extension must be spelt out as 0
        case when requested_extension_wd is null then 0
            else least(requested_extension_wd, max_extension_wd) end as allowed_extension_wd,
        coalesce(requested_extension_wd > max_extension_wd, false) as is_extension_over_maximum,
        deadline.date as deadline_date,
    from with_extension
    left join calendar as deadline
        on deadline.is_working_day
        and deadline.wd_index = base_deadline_wd_index
            + case when requested_extension_wd is null then 0
                else least(requested_extension_wd, max_extension_wd) end
),

final as (
    select
        with_deadline.complaint_ref,
        with_deadline.stage,
        with_deadline.received_date,
        case when month(with_deadline.received_date) >= 4 then year(with_deadline.received_date) + 1
            else year(with_deadline.received_date) end as received_end_year,
        with_deadline.acknowledged_date,
        with_deadline.responded_date,
        case when with_deadline.responded_date is null then null
            when month(with_deadline.responded_date) >= 4 then year(with_deadline.responded_date) + 1
            else year(with_deadline.responded_date) end as responded_end_year,
        with_deadline.tenure_resolved as tenure,
        with_deadline.tenure_resolved in ('LCRA', 'LCHO') as is_tsm_tenure,
        with_deadline.tenure_source,
        with_deadline.has_unknown_home,
        coalesce(with_deadline.refused, false) as is_refused,
        with_deadline.refusal_reason,
        with_deadline.outcome,
        with_deadline.category,
        with_deadline.service_area,
        with_deadline.channel,
        coalesce(with_deadline.vulnerable, false) as is_vulnerable,
        with_deadline.compensation_gbp,
        with_deadline.home_ref,
        with_deadline.code_version,
        with_deadline.clock,
        with_deadline.acknowledge_by_date,
        with_deadline.acknowledged_date is not null
            and with_deadline.acknowledged_date <= with_deadline.acknowledge_by_date
            as is_acknowledged_on_time,
        with_deadline.clock_start_date,
        with_deadline.response_wd,
        with_deadline.base_deadline_date,
        coalesce(with_deadline.extension_agreed, false) as is_extension_agreed,
        with_deadline.extended_due_date,
        with_deadline.extension_reason,
        with_deadline.has_evidenced_extension,
        with_deadline.has_extension_without_date,
        with_deadline.requested_extension_wd,
        with_deadline.max_extension_wd,
        with_deadline.allowed_extension_wd,
        with_deadline.is_extension_over_maximum,
        with_deadline.deadline_date,
        with_deadline.responded_date is not null
            and with_deadline.responded_date <= with_deadline.deadline_date as is_within_timescale,
        case
            when with_deadline.responded_date is null and with_deadline.outcome = 'withdrawn'
                then 'withdrawn_no_response'
            when with_deadline.responded_date is null then 'open'
            when with_deadline.deadline_date is null then 'no_code_version'
            when with_deadline.responded_date <= with_deadline.base_deadline_date then 'on_time'
            when with_deadline.responded_date <= with_deadline.deadline_date then 'on_time_extended'
            else 'late'
        end as timeliness,
        case when with_deadline.responded_date is not null
            then greatest(responded.wd_index - with_deadline.received_wd_start, 0)
        end as working_days_to_respond,
        with_deadline.responded_date < with_deadline.received_date as is_responded_before_received,
        with_deadline.stage = 1 and escalated.complaint_ref is not null as is_escalated,
        with_deadline.source_file,
        with_deadline.source_row,
    from with_deadline
    left join calendar as responded on responded.date = with_deadline.responded_date
    left join escalated
        on escalated.complaint_ref = with_deadline.complaint_ref and with_deadline.stage = 1
)

select * from final order by received_date, complaint_ref, stage
