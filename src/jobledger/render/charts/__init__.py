"""Chart geometry for the HTML report, one module per kind of chart."""
