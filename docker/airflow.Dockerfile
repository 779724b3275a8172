# Airflow image with Newswatch's Python dependencies; the code itself is mounted by docker-compose.yml.
FROM apache/airflow:3.3.2-python3.11
COPY requirements.txt constraints.txt /opt/newswatch/
RUN pip install --no-cache-dir -r /opt/newswatch/requirements.txt -c /opt/newswatch/constraints.txt
ENV PYTHONPATH=/opt/newswatch
