-- Current state of forced_sales: the rows of the latest delivery of stg_namsfogd__forced_sales (the latest
-- namsfogd delivery that has forced_sales.xlsx; a delivery without the file says nothing about forced sales).
{{ latest_delivery_rows(ref('stg_namsfogd__forced_sales')) }}
