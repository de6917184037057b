{#- Generic test: no configured attribution dimension is NULL (an untagged call says
    'unattributed', so coverage can be measured and a mart never hides a NULL group). -#}
{% test no_null_dimensions(model) %}
    select *
    from {{ model }}
    where
        {%- for dimension in var('attribution_dimensions') %}
        {{ dimension }} is null{{ ' or' if not loop.last }}
        {%- endfor %}
{% endtest %}
