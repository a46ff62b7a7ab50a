"""The Scrapy project: spiders find and fetch report files; they never parse them."""
