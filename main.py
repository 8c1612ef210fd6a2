from app.cli import main

if __name__ == "__main__":  # not when an engine process starts (it imports the main module)
    raise SystemExit(main())
