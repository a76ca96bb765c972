name = "Acme"
survey = { metrics = { "csat", "csat" }, max_text = -1 }
calendar = { utc_offset = "+99:00" }
plugins = { ["channels/nosuch"] = 5 }
threshold = "high
