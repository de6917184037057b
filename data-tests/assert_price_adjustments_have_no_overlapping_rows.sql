-- One negotiated discount at a time per provider and model (`*` counts as its own model).
select
    earlier.provider,
    earlier.model,
    earlier.effective_from as earlier_from,
    later.effective_from as later_from
from {{ ref('stg_raw__price_adjustments') }} as earlier
inner join {{ ref('stg_raw__price_adjustments') }} as later
    on earlier.provider = later.provider
    and earlier.model = later.model
    and earlier.effective_from < later.effective_from
where earlier.effective_to is null or earlier.effective_to > later.effective_from
