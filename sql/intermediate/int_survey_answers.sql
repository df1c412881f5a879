-- Every answer to a perception question, judged as tsm.md says. Satisfied = the top two
-- answers (TP08: strongly agree + agree). Valid = asked of the respondent's tenure, not
-- routed past the question, and an answer on the scale: don't know / not applicable and
-- blanks are excluded from the denominator; an answer from a respondent the routing sends
-- past the question (e.g. TP02 with repair_last_12m = no) is excluded and counted in data
-- quality. Routed to the question means the routing answer is the one the table names
-- (repair_last_12m = yes): a blank routing answer is not, so the answer is excluded and
-- counted in data quality too (D26). A don't know to a question that offers none (TP01-TP04,
-- TP09, TP10) is excluded like any other and flagged in data quality.
-- weight: the survey weight in force for the year (1 when unweighted).
-- Grain: one row per response_id x question answered.
with responses as (
    select * from staging.survey_responses
),

questions as (
    select * from params.perception_questions
),

weights as (
    select * from intermediate.int_survey_weights
),

answers as (
    unpivot responses
    on tp01, tp02, tp03, tp04, tp05, tp06, tp07, tp08, tp09, tp10, tp11, tp12
    into name question_column value answer
),

judged as (
    select
        answers.response_id,
        case when month(answers.response_date) >= 4 then year(answers.response_date) + 1
            else year(answers.response_date) end as end_year,
        answers.tenure,
        answers.collection_method,
        questions.measure_code,
        answers.answer,
        list_contains(string_split(questions.asked_of, ';'), answers.tenure) as is_asked_of_tenure,
        case questions.routing_column
            when 'repair_last_12m' then answers.repair_last_12m
            when 'complaint_last_12m' then answers.complaint_last_12m
            when 'communal_areas' then answers.communal_areas
        end as routing_value,
        questions.routing_answer,
        questions.dont_know_allowed = 'yes' as is_dont_know_allowed,
        answers.answer in ('dont_know', 'not_applicable') as is_dont_know,
        answers.answer in ('very_satisfied', 'fairly_satisfied', 'strongly_agree', 'agree')
            as is_top_two,
        -- an answer from the other scale (e.g. 'agree' to a satisfaction question) is not valid
        case questions.scale
            when 'agreement' then answers.answer in ('strongly_agree', 'agree', 'neither', 'disagree',
                'strongly_disagree', 'dont_know', 'not_applicable')
            else answers.answer in ('very_satisfied', 'fairly_satisfied', 'neither',
                'fairly_dissatisfied', 'very_dissatisfied', 'dont_know', 'not_applicable')
        end as is_on_scale,
    from answers
    join questions on questions.question_column = answers.question_column
),

final as (
    select
        judged.*,
        routing_value is not null and routing_value <> routing_answer as is_routed_away,
        routing_answer is not null and routing_value is null as is_routing_blank,
        is_asked_of_tenure and is_on_scale and not is_dont_know
            and (routing_answer is null or routing_value = routing_answer) as is_valid,
        coalesce(weights.weight, 1.0) as weight,
    from judged
    left join weights on weights.response_id = judged.response_id
)

select
    *,
    is_valid and is_top_two as is_satisfied,
from final
