from ceo.cli import main

main()
