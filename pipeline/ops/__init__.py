"""Operations: feed health, the health page, operator alerts, Kibana objects, links and search.

Hands on reports and pages for the people running Newswatch; nothing in the pipeline imports it.
"""
