VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench lesson-thumbnails clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint,i18n,onnx,tensorboard]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	$(PY) bench/engine_vs_bare.py

# The lessons' start-page pictures: each lesson's plot after its first run (resources/lessons).
lesson-thumbnails: $(STAMP)
	mkdir -p resources/lessons/thumbnails
	for name in $$(cat resources/lessons/order.txt); do \
		QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot --lesson $$name --thumbnail \
			--size 1280x720 resources/lessons/thumbnails/$$name.png || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info
