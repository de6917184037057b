-- A call must match at most one rate card row: rows of the same provider and model must not
-- overlap in time (effective_to is exclusive; empty = still in force).
select
    earlier.provider,
    earlier.model,
    earlier.effective_from as earlier_from,
    earlier.effective_to as earlier_to,
    later.effective_from as later_from
from {{ ref('rate_card') }} as earlier
inner join {{ ref('rate_card') }} as later
    on earlier.provider = later.provider
    and earlier.model = later.model
    and earlier.effective_from < later.effective_from
where earlier.effective_to is null or earlier.effective_to > later.effective_from
