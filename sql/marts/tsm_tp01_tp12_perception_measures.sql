-- TP01-TP12: proportion of respondents satisfied (TP08: who agree), per tenure (tsm.md).
-- Numerator: valid answers in the top two; denominator: valid answers
-- (int_survey_answers). Weighted counts when the year's survey is weighted, with the
-- unweighted counts kept beside them. Grain: one row per year x measure x tenure.
with answers as (
    select * from intermediate.int_survey_answers
),

years as (
    select * from intermediate.int_reporting_years
),

questions as (
    select measure_code, unnest(string_split(asked_of, ';')) as tenure from params.perception_questions
),

has_survey as (
    select count(*) > 0 as present, coalesce(bool_or(has_rows), false) as usable
    from intermediate.int_input_sources where source = 'survey_responses'
),

counts as (
    select
        years.end_year,
        years.year_label,
        questions.measure_code,
        questions.tenure,
        coalesce(sum(answers.weight) filter (where answers.is_satisfied), 0) as satisfied_weighted,
        coalesce(sum(answers.weight) filter (where answers.is_valid), 0) as valid_weighted,
        count(*) filter (where answers.is_satisfied) as satisfied_respondents,
        count(*) filter (where answers.is_valid) as valid_respondents,
    from years
    cross join questions
    left join answers
        on answers.end_year = years.end_year
        and answers.measure_code = questions.measure_code
        and answers.tenure = questions.tenure
    group by all
),

final as (
    select
        end_year,
        year_label,
        measure_code,
        '' as measure_part,
        tenure,
        satisfied_weighted::DOUBLE as numerator,
        valid_weighted::DOUBLE as denominator,
        case when valid_weighted > 0 then satisfied_weighted * 100.0 / valid_weighted end as value,
        'percent' as unit,
        satisfied_respondents,
        valid_respondents,
        case when has_survey.usable and valid_respondents > 0 then 'ok' else 'not_available' end
            as status,
        case
            when not has_survey.present then 'no survey_responses file in the dataset'
            when not has_survey.usable then 'no usable row in survey_responses file: every row is in quarantine'
            when valid_respondents = 0 then 'no valid responses to this question in the year'
        end as status_reason,
    from counts
    cross join has_survey
)

select * from final
