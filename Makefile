VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

CATALOGS := resources/translations/zh_CN.mo

.PHONY: run test lint bench lesson-thumbnails fonts catalogs clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint,i18n,onnx,tensorboard]'
	touch $(STAMP)

# The translations compiled from their .po sources (docs/translation.md).
$(CATALOGS): $(STAMP) $(wildcard resources/translations/*/*.po)
	$(PY) -m app.catalogs compile

run: $(STAMP) $(CATALOGS)
	$(PY) main.py

test: $(STAMP) $(CATALOGS)
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

# The catalogs brought in line with the code: new texts in, gone ones out (then translate).
catalogs: $(STAMP)
	$(PY) -m app.catalogs update
	$(PY) -m app.catalogs missing

# The shipped Chinese font cut from Noto Sans CJK (app/font_build.py; fonts-noto-cjk's folder).
NOTO_CJK ?= /usr/share/fonts/opentype/noto
fonts: $(STAMP)
	$(PY) -m app.font_build $(NOTO_CJK)

clean:
	rm -rf $(VENV) build *.egg-info
